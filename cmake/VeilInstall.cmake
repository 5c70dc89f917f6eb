# `cmake --install`: the layers' static libraries, their public headers, the programs, and a
# CMake package so that another project gets veil::common ... veil::runtime with
# find_package(veil) (examples/encrypted_small_cnn builds against it; docs/library.md).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(VEIL_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/veil)
set(_veil_layers common fhe io nn client compiler runtime)
set(_veil_layer_targets)
foreach(layer ${_veil_layers})
  set_target_properties(veil_${layer} PROPERTIES EXPORT_NAME ${layer})
  list(APPEND _veil_layer_targets veil_${layer})
endforeach()

install(TARGETS ${_veil_layer_targets} EXPORT veilTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
# include/veil/app is the programs' code, not the library's API (docs/library.md): not installed.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/veil DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        PATTERN app EXCLUDE)
install(EXPORT veilTargets NAMESPACE veil:: DESTINATION ${VEIL_INSTALL_CMAKEDIR})

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/veilConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/veilConfig.cmake
                              INSTALL_DESTINATION ${VEIL_INSTALL_CMAKEDIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/veilConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/veilConfig.cmake ${PROJECT_BINARY_DIR}/veilConfigVersion.cmake
        DESTINATION ${VEIL_INSTALL_CMAKEDIR})
