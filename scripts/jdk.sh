# Sourced by the repository's scripts: points JAVA_HOME at a JDK 21 or newer.
# Helidon 4 (the gateway) needs Java 21+; the libraries a site embeds still compile for 17.
# Order: $JAVA_HOME if it is 21+, then the newest JDK under /usr/lib/jvm that is.
java_major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }
pick_jdk() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] && [ "$(java_major "$JAVA_HOME")" -ge 21 ] 2>/dev/null; then
    return 0
  fi
  local best="" best_v=0 d v
  for d in /usr/lib/jvm/*/; do
    d=${d%/}
    [ -x "$d/bin/javac" ] || continue
    v=$(java_major "$d")
    if [ "${v:-0}" -ge 21 ] 2>/dev/null && [ "$v" -gt "$best_v" ]; then best=$d best_v=$v; fi
  done
  if [ -z "$best" ]; then
    echo "agegate needs a JDK 21 or newer (Helidon 4): set JAVA_HOME, or install one under /usr/lib/jvm" >&2
    return 1
  fi
  export JAVA_HOME=$best
}
pick_jdk
export PATH="$JAVA_HOME/bin:$PATH"
