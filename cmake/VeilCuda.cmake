# The CUDA backend (src/fhe/cuda/, docs/cuda_backend.md).
# VEIL_CUDA=AUTO (default) builds it when CMake finds a CUDA compiler, ON requires one, OFF never
# builds it. Without it a stub gives the same two functions (cuda_backend_available() is false),
# so nothing else changes. Targets sm_90 (H100/H200) machine code plus compute_90 PTX unless
# CMAKE_CUDA_ARCHITECTURES says otherwise.
include(VeilAutoOption)
veil_auto_option(VEIL_CUDA "Build the CUDA backend" _veil_cuda_mode)

set(VEIL_CUDA_ENABLED OFF)
if(NOT _veil_cuda_mode STREQUAL "OFF")
  # The toolkit usually installs nvcc outside PATH; CMake's own search only looks on PATH.
  if(NOT DEFINED CMAKE_CUDA_COMPILER AND NOT DEFINED ENV{CUDACXX})
    find_program(VEIL_NVCC nvcc PATHS ENV CUDA_PATH /usr/local/cuda PATH_SUFFIXES bin)
    if(VEIL_NVCC)
      set(ENV{CUDACXX} "${VEIL_NVCC}")
    endif()
  endif()
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    set(VEIL_CUDA_ENABLED ON)
  elseif(_veil_cuda_mode STREQUAL "ON")
    message(FATAL_ERROR "VEIL_CUDA=ON but no CUDA compiler was found: install the CUDA toolkit, or set "
                        "CMAKE_CUDA_COMPILER (or CUDACXX) to nvcc")
  endif()
endif()

if(VEIL_CUDA_ENABLED)
  if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
    set(CMAKE_CUDA_ARCHITECTURES 90)  # sm_90 code and compute_90 PTX
  endif()
  enable_language(CUDA)
  if(CMAKE_CUDA_COMPILER_VERSION VERSION_LESS 12.0)  # oldest toolkit assumed by the code: 12.0
    if(_veil_cuda_mode STREQUAL "ON")
      message(FATAL_ERROR "VEIL_CUDA=ON needs CUDA >= 12.0, found ${CMAKE_CUDA_COMPILER_VERSION}")
    endif()
    message(WARNING "CUDA ${CMAKE_CUDA_COMPILER_VERSION} is older than 12.0: building without the CUDA backend")
    set(VEIL_CUDA_ENABLED OFF)
  endif()
endif()
if(VEIL_CUDA_ENABLED)
  find_package(CUDAToolkit REQUIRED)
  set(CMAKE_CUDA_STANDARD 17)
  set(CMAKE_CUDA_STANDARD_REQUIRED ON)
endif()
message(STATUS "veil CUDA backend: ${VEIL_CUDA_ENABLED} (VEIL_CUDA=${VEIL_CUDA})")

# veil_fhe_cuda(TARGET): adds the CUDA backend, or its stub, to the fhe layer's library.
function(veil_fhe_cuda target)
  set(dir ${PROJECT_SOURCE_DIR}/src/fhe/cuda)
  if(NOT VEIL_CUDA_ENABLED)
    target_sources(${target} PRIVATE ${dir}/cuda_backend_stub.cpp)
    return()
  endif()
  file(GLOB sources CONFIGURE_DEPENDS ${dir}/*.cu ${dir}/*.cpp)
  list(REMOVE_ITEM sources ${dir}/cuda_backend_stub.cpp)
  add_library(veil_fhe_cuda OBJECT ${sources})
  get_property(view GLOBAL PROPERTY VEIL_LAYER_VIEW_fhe)
  target_include_directories(veil_fhe_cuda PRIVATE ${view}/include ${view}/src)
  target_link_libraries(veil_fhe_cuda PRIVATE CUDA::cudart CUDA::cufft)
  target_compile_options(veil_fhe_cuda PRIVATE
    $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic>
    $<$<COMPILE_LANGUAGE:CUDA>:-Xcompiler=-Wall,-Wextra>)
  target_sources(${target} PRIVATE $<TARGET_OBJECTS:veil_fhe_cuda>)
  target_link_libraries(${target} PUBLIC CUDA::cudart CUDA::cufft)
endfunction()
