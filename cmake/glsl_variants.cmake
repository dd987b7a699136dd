# emvk_glsl_variants(<outputs var> <folder> <label> <shader.comp>...): each shader compiled by
# glslc twice, as it emits it (locals in memory, no phis) and optimised with -O (phis, folded and
# fused instructions), since drivers see both, into <folder>/<name>.{plain,optimized}.spv. The
# outputs are appended to <outputs var>.
function(emvk_glsl_variants outputs_var folder label)
  set(outputs ${${outputs_var}})
  foreach(shader ${ARGN})
    get_filename_component(name ${shader} NAME_WE)
    foreach(variant plain optimized)
      set(output ${folder}/${name}.${variant}.spv)
      set(flags --target-env=vulkan1.1)
      if(variant STREQUAL "optimized")
        list(APPEND flags -O)
      endif()
      add_custom_command(
        OUTPUT ${output}
        COMMAND ${CMAKE_COMMAND} -E make_directory ${folder}
        COMMAND ${GLSLC} ${flags} -o ${output} ${shader}
        DEPENDS ${shader}
        COMMENT "glslc ${label}${name}.comp (${variant})"
        VERBATIM)
      list(APPEND outputs ${output})
    endforeach()
  endforeach()
  set(${outputs_var} ${outputs} PARENT_SCOPE)
endfunction()
