# ctest script: `cmake --install` into a scratch prefix must give a manifest whose library_path is
# the installed library, and the loader must find emvk through that manifest alone.
# Run as: cmake -DBUILD_DIR=... -DPREFIX=... -P install_check.cmake
file(REMOVE_RECURSE "${PREFIX}")
execute_process(COMMAND ${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${PREFIX}"
                RESULT_VARIABLE rc OUTPUT_QUIET)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install failed: ${rc}")
endif()
set(manifest "${PREFIX}/share/vulkan/icd.d/emvk_icd.json")
file(READ "${manifest}" json)
string(JSON library GET "${json}" ICD library_path)
string(JSON format GET "${json}" file_format_version)
if(NOT library MATCHES "^${PREFIX}/lib[^/]*/libemvk.so$" OR NOT EXISTS "${library}")
  message(FATAL_ERROR "manifest library_path '${library}' is not the installed library")
endif()
if(NOT format STREQUAL "1.0.1")
  message(FATAL_ERROR "file_format_version ${format}")
endif()
set(preload "")
if(PRELOAD)
  set(preload "LD_PRELOAD=${PRELOAD}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E env "VK_DRIVER_FILES=${manifest}" ${preload}
                        vulkaninfo --summary
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_QUIET)
if(NOT rc EQUAL 0 OR NOT out MATCHES "deviceName += emvk")
  message(FATAL_ERROR "vulkaninfo through the installed manifest failed (${rc}):\n${out}")
endif()
file(REMOVE_RECURSE "${PREFIX}")
message(STATUS "installed manifest points at ${library}; vulkaninfo found emvk through it")
