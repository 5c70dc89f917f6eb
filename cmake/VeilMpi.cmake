# Distributed execution over MPI (src/runtime/mpi/, docs/distributed.md).
# VEIL_MPI=AUTO (default) builds it when CMake finds MPI for C++, ON requires it, OFF never
# builds it. Without it a stub gives the same two functions (distributed::available() is false
# and --distributed is refused with a clear error), so nothing else changes.
include(VeilAutoOption)
veil_auto_option(VEIL_MPI "Build distributed execution over MPI" _veil_mpi_mode)

set(VEIL_MPI_ENABLED OFF)
if(NOT _veil_mpi_mode STREQUAL "OFF")
  find_package(MPI COMPONENTS CXX)
  if(MPI_CXX_FOUND)
    set(VEIL_MPI_ENABLED ON)
  elseif(_veil_mpi_mode STREQUAL "ON")
    message(FATAL_ERROR "VEIL_MPI=ON but MPI for C++ was not found: install Open MPI (libopenmpi-dev)")
  endif()
endif()
message(STATUS "veil MPI (distributed execution): ${VEIL_MPI_ENABLED} (VEIL_MPI=${VEIL_MPI})")

# veil_runtime_mpi(TARGET): adds distributed execution, or its stub, to the runtime library.
function(veil_runtime_mpi target)
  set(dir ${PROJECT_SOURCE_DIR}/src/runtime/mpi)
  if(NOT VEIL_MPI_ENABLED)
    target_sources(${target} PRIVATE ${dir}/session_stub.cpp)
    return()
  endif()
  file(GLOB sources CONFIGURE_DEPENDS ${dir}/*.cpp)
  list(REMOVE_ITEM sources ${dir}/session_stub.cpp)
  target_sources(${target} PRIVATE ${sources})
  target_link_libraries(${target} PUBLIC MPI::MPI_CXX)
endfunction()
