# Run at every build (`cmake -P`): writes OUTPUT from src/version.cc.in with the commit the sources are at now, so
# that `ecgad --version` never names an older commit after an incremental build. configure_file rewrites OUTPUT
# only when its text changes, so an unchanged commit recompiles nothing.
set(ECGAD_GIT_COMMIT "")
execute_process(COMMAND "${GIT_EXECUTABLE}" describe --always --dirty --abbrev=12
                WORKING_DIRECTORY "${SOURCE_DIR}" OUTPUT_VARIABLE ECGAD_GIT_COMMIT
                OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
configure_file("${SOURCE_DIR}/src/version.cc.in" "${OUTPUT}" @ONLY)
