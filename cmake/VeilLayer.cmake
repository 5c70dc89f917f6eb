# veil_layer(NAME DEPS ...): one static library per layer from src/NAME/**.cpp,
# public headers in include/veil/NAME, exported as veil::NAME.
function(veil_layer name)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS
       ${PROJECT_SOURCE_DIR}/src/${name}/*.cpp)
  list(FILTER sources EXCLUDE REGEX "/(cuda|mpi)/")  # added by VeilCuda / VeilMpi
  add_library(veil_${name} STATIC ${sources})
  add_library(veil::${name} ALIAS veil_${name})
  target_include_directories(veil_${name}
    PUBLIC ${PROJECT_SOURCE_DIR}/include
    PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(veil_${name} PUBLIC ${ARG_DEPS})
  veil_target_flags(veil_${name})
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
  add_executable(veil_${layer}_tests ${sources})
  target_include_directories(veil_${layer}_tests PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests)
  target_link_libraries(veil_${layer}_tests PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main)
  target_compile_definitions(veil_${layer}_tests PRIVATE
    VEIL_SHARED_DATA_DIR="${PROJECT_SOURCE_DIR}/../shared/data"
    VEIL_TEST_ARTIFACTS_DIR="${PROJECT_BINARY_DIR}/test-artifacts")
  veil_target_flags(veil_${layer}_tests)
  set(properties LABELS ${layer} TIMEOUT 3600)
  if(ARG_FIXTURES)
    list(APPEND properties FIXTURES_REQUIRED "${ARG_FIXTURES}")
  endif()
  gtest_discover_tests(veil_${layer}_tests DISCOVERY_TIMEOUT 120 PROPERTIES ${properties})
endfunction()
