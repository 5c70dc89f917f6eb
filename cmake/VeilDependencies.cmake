# Every external dependency comes from Debian packages (scripts/install-deps.sh).
find_package(Threads REQUIRED)
find_package(OpenSSL 3 REQUIRED)      # CSPRNG for key and noise material
find_package(ZLIB REQUIRED)           # .pth (zip) archives
find_package(JPEG REQUIRED)           # libjpeg-turbo
find_package(PNG REQUIRED)
find_package(nlohmann_json 3 REQUIRED)  # statistics and client specs (JSON)
find_package(PkgConfig REQUIRED)
pkg_check_modules(OPENBLAS REQUIRED IMPORTED_TARGET openblas)  # fp32 GEMM
if(VEIL_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(VEIL_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()
