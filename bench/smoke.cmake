# Runs one benchmark with --smoke (tiny sizes) and fails unless it exits 0
# and prints a Markdown table. Figures are not checked: timings are never
# asserted.
if(NOT BENCH)
  message(FATAL_ERROR "usage: cmake -DBENCH=<program> [-DTMP=<folder>] -P smoke.cmake")
endif()
set(extra)
if(TMP)
  set(extra --tmp ${TMP})
endif()
execute_process(COMMAND ${BENCH} --smoke ${extra}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 240)
message("${out}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${BENCH} --smoke exited with ${rc}: ${err}")
endif()
# A table header line followed by its separator line.
if(NOT out MATCHES "\n\\| [^\n]+\\|\n\\|-+\\|")
  message(FATAL_ERROR "${BENCH} --smoke printed no Markdown table")
endif()
