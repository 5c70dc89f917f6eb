include_guard(GLOBAL)
# veil_auto_option(NAME DOC MODE_VAR): a cache option NAME of AUTO (default: build the feature when its
# tools are found), ON (require them) or OFF; sets MODE_VAR in the caller to its upper-case value.
function(veil_auto_option name doc mode_var)
  set(${name} AUTO CACHE STRING "${doc}: AUTO (when found), ON or OFF")
  set_property(CACHE ${name} PROPERTY STRINGS AUTO ON OFF)
  string(TOUPPER "${${name}}" mode)
  if(NOT mode MATCHES "^(AUTO|ON|OFF)$")
    message(FATAL_ERROR "${name}=${${name}}: expected AUTO, ON or OFF")
  endif()
  set(${mode_var} ${mode} PARENT_SCOPE)
endfunction()
