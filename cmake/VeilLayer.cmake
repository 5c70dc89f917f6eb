# veil_layer(NAME DEPS ...): one static library per layer from src/NAME/**.cpp,
# public headers in include/veil/NAME, exported as veil::NAME.
#
# The layering is enforced by the compiler: each layer compiles against a view of the tree
# (build/layer-views/NAME) holding only its own public headers and sources and the public
# headers of the layers in DEPS (transitively), so an upward include, or one into another
# layer's private headers, fails to compile.
function(veil_layer name)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS
       ${PROJECT_SOURCE_DIR}/src/${name}/*.cpp)
  list(FILTER sources EXCLUDE REGEX "/(cuda|mpi)/")  # added by VeilCuda / VeilMpi
  veil_isa_sources(sources)
  add_library(veil_${name} STATIC ${sources})
  add_library(veil::${name} ALIAS veil_${name})
  veil_layer_view(${name} "${ARG_DEPS}")
  target_include_directories(veil_${name}
    PUBLIC $<BUILD_INTERFACE:${VEIL_LAYER_VIEW_${name}}/include> $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>
    PRIVATE ${VEIL_LAYER_VIEW_${name}}/src)
  target_link_libraries(veil_${name} PUBLIC ${ARG_DEPS})
  veil_target_flags(veil_${name})
endfunction()

# Builds the view of layer NAME (symbolic links into include/ and src/) and sets
# VEIL_LAYER_VIEW_NAME in the caller's scope and globally (for VeilCuda / VeilMpi).
function(veil_layer_view name deps)
  set(sees ${name})
  foreach(dep ${deps})
    if(dep MATCHES "^veil::(.+)$")
      get_property(dep_sees GLOBAL PROPERTY VEIL_LAYER_SEES_${CMAKE_MATCH_1})
      list(APPEND sees ${dep_sees})
    endif()
  endforeach()
  list(REMOVE_DUPLICATES sees)
  set_property(GLOBAL PROPERTY VEIL_LAYER_SEES_${name} ${sees})
  set(view ${PROJECT_BINARY_DIR}/layer-views/${name})
  file(REMOVE_RECURSE ${view})
  file(MAKE_DIRECTORY ${view}/include/veil ${view}/src)
  foreach(layer ${sees})
    file(CREATE_LINK ${PROJECT_SOURCE_DIR}/include/veil/${layer} ${view}/include/veil/${layer} SYMBOLIC)
  endforeach()
  file(CREATE_LINK ${PROJECT_SOURCE_DIR}/src/${name} ${view}/src/${name} SYMBOLIC)
  set(VEIL_LAYER_VIEW_${name} ${view} PARENT_SCOPE)
  set_property(GLOBAL PROPERTY VEIL_LAYER_VIEW_${name} ${view})
endfunction()

# Run-time CPU dispatch (src/fhe/cpu/cpu_features.hpp): files named *_avx2.cpp / *_avx512.cpp
# hold one instruction set's kernels and get its flags; the rest of the tree is built for
# baseline x86-64 (unless VEIL_NATIVE). Elsewhere than x86-64 those files are left out.
set(VEIL_AVX2_FLAGS -mavx2 -mfma)
set(VEIL_AVX512_FLAGS -mavx512f -mavx512dq -mavx512bw -mavx512vl -mavx2 -mfma -mprefer-vector-width=512)
function(veil_isa_sources list_var)
  set(sources ${${list_var}})
  if(NOT CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
    list(FILTER sources EXCLUDE REGEX "_avx(2|512)\\.cpp$")
  endif()
  foreach(source ${sources})
    if(source MATCHES "_avx2\\.cpp$")
      set_source_files_properties(${source} PROPERTIES COMPILE_OPTIONS "${VEIL_AVX2_FLAGS}")
    elseif(source MATCHES "_avx512\\.cpp$")
      set_source_files_properties(${source} PROPERTIES COMPILE_OPTIONS "${VEIL_AVX512_FLAGS}")
    endif()
  endforeach()
  set(${list_var} ${sources} PARENT_SCOPE)
endfunction()

function(veil_target_flags target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
  if(VEIL_NATIVE)
    target_compile_options(${target} PRIVATE -march=native)
  endif()
  if(VEIL_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()

# veil_test_suite(LAYER DEPS ... [FIXTURES ...]): tests/LAYER/*.cpp -> veil_LAYER_tests,
# registered with CTest; FIXTURES names CTest fixtures (reference data made by Python) it needs.
function(veil_test_suite layer)
  cmake_parse_arguments(ARG "" "" "DEPS;FIXTURES" ${ARGN})
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/tests/${layer}/*.cpp)
  if(NOT sources)
    return()
  endif()
  # tests/test_main.cpp: GoogleTest's main plus a guard that fails a suite whose set-up failed.
  add_executable(veil_${layer}_tests ${sources} ${PROJECT_SOURCE_DIR}/tests/test_main.cpp)
  target_include_directories(veil_${layer}_tests PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests)
  target_link_libraries(veil_${layer}_tests PRIVATE ${ARG_DEPS} GTest::gtest)
  target_compile_definitions(veil_${layer}_tests PRIVATE
    VEIL_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    VEIL_SHARED_DATA_DIR="${PROJECT_SOURCE_DIR}/../shared/data"
    VEIL_TEST_ARTIFACTS_DIR="${PROJECT_BINARY_DIR}/test-artifacts")
  veil_target_flags(veil_${layer}_tests)
  set(properties LABELS ${layer} TIMEOUT 3600)
  if(ARG_FIXTURES)
    list(APPEND properties FIXTURES_REQUIRED "${ARG_FIXTURES}")
  endif()
  gtest_discover_tests(veil_${layer}_tests DISCOVERY_TIMEOUT 120 PROPERTIES ${properties})
endfunction()
