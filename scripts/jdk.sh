# Sourced by ./build and ./corral: finds a JDK 21 or newer and exports JAVA_HOME.
# Order: $JAVA_HOME, the java on PATH, then the usual install folders (newest first).
# Fails with a message that says what to install, never with a compiler error.

corral_java_major() { # $1 = path to a java binary; prints its feature version, or nothing
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n1
}

corral_find_jdk() {
  local candidates=() c v
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v javac >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")")
  fi
  for c in $(ls -d /usr/lib/jvm/* /opt/java/* /opt/jdk* /usr/local/lib/jvm/* "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/* 2>/dev/null | sort -rV); do
    candidates+=("$c")
  done
  for c in "${candidates[@]}"; do
    [ -x "$c/bin/java" ] && [ -x "$c/bin/javac" ] || continue
    v=$(corral_java_major "$c/bin/java")
    if [ -n "$v" ] && [ "$v" -ge 21 ]; then
      export JAVA_HOME="$c"
      export PATH="$JAVA_HOME/bin:$PATH"
      return 0
    fi
  done
  echo "Corral needs a JDK 21 or newer (virtual threads), and none was found." >&2
  echo "Looked at JAVA_HOME, the javac on PATH and /usr/lib/jvm, /opt/java, ~/.sdkman, ~/.jdks." >&2
  echo "Install one (for example: apt-get install openjdk-21-jdk-headless) or set JAVA_HOME to it." >&2
  return 1
}

corral_jdk_home() { # $1 = a feature version (21, 25); prints the home of an installed JDK of exactly that version
  local c
  for c in $(ls -d /usr/lib/jvm/* /opt/java/* /opt/jdk* /usr/local/lib/jvm/* "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/* 2>/dev/null | sort -rV); do
    [ -x "$c/bin/java" ] && [ -x "$c/bin/javac" ] && [ ! -L "$c" ] || continue
    if [ "$(corral_java_major "$c/bin/java")" = "$1" ]; then
      echo "$c"
      return 0
    fi
  done
  return 1
}
