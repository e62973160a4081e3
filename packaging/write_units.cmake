# Run at install time (packaging/CMakeLists.txt, install(CODE)): the relay's
# two systemd units from the one template deploy/meldpunt-relay@.service.in,
# with the program's installed path written in. meldpunt-relay.service is
# the template's instance "relay", so the two cannot differ in their sandbox.
#   MELDPUNT_RELAY_PATH      the installed relay program (e.g. /usr/bin/relay)
#   MELDPUNT_UNIT_TEMPLATE   deploy/meldpunt-relay@.service.in
#   MELDPUNT_UNIT_OUT        folder to write both units into
file(READ "${MELDPUNT_UNIT_TEMPLATE}" template)
# @ONLY: the unit's own ${...} are systemd's, not CMake's.
string(CONFIGURE "${template}" template @ONLY)
file(WRITE "${MELDPUNT_UNIT_OUT}/meldpunt-relay@.service" "${template}")

# The instance "relay": the template's directives with %i filled in, under a
# header of its own (the template's comments speak of NAME).
string(FIND "${template}" "[Unit]" body_at)
string(SUBSTRING "${template}" ${body_at} -1 body)
string(REPLACE "%i" "relay" body "${body}")
file(WRITE "${MELDPUNT_UNIT_OUT}/meldpunt-relay.service"
"# systemd unit for the meldpunt relay of one organisation on this host:
# configuration /etc/meldpunt/relay.ini, data /var/lib/meldpunt/relay.
# It is the instance \"relay\" of meldpunt-relay@.service, generated from that
# template when installed; run one or the other for that name, never both.
# Set-up: man 8 relay, /usr/share/doc/meldpunt-relay/OPERATIONS.md (\"Install\").

${body}")
