#!/usr/bin/env bash
# Checks the release artifacts that `./build release-check` (mvn -Prelease verify) left in target/:
# for every published module (one that does not set maven.deploy.skip), what Maven Central requires.
#   jar modules: <a>-<v>.jar with classes and a module name (module-info or Automatic-Module-Name),
#                <a>-<v>-sources.jar with .java files, <a>-<v>-javadoc.jar with index.html
#   every pom:   name, description, url, licenses, developers, scm (the enforcer's central-pom rules
#                check the inherited ones in the reactor; the BOM, which has no parent, is read here)
#   corral-bom:  lists every published jar module, at the reactor's version
# Signing (.asc) and upload are the release machine's job and are not checked here.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/jdk.sh
corral_find_jdk >/dev/null

fail=0
pom_text() { perl -0pe 's/<!--.*?-->//gs' "$1"; } # a pom without its comments
bad() { echo "FAIL  $*"; fail=1; }
ok() { echo "ok    $*"; }

version=$(pom_text pom.xml | sed -n '/<artifactId>corral-parent<\/artifactId>/,/<version>/s:.*<version>\(.*\)</version>.*:\1:p' | head -n1)
[ -n "$version" ] || { echo "cannot read the version from pom.xml" >&2; exit 2; }
echo "Corral $version: release artifacts"
[ -f LICENSE ] && grep -q "Apache License" LICENSE && ok "LICENSE (Apache-2.0)" || bad "LICENSE missing or not Apache-2.0"

has_elements() { # $1 = pom file; the elements Central requires, written in it
  local pom=$1 e missing=() text
  text=$(pom_text "$pom")
  for e in name description url licenses developers scm; do
    grep -Eq "<$e[ >]" <<<"$text" || missing+=("$e")
  done
  [ ${#missing[@]} -eq 0 ] && ok "$pom has name, description, url, licenses, developers, scm" \
    || bad "$pom lacks: ${missing[*]}"
}
has_elements pom.xml

published_jars=()
for m in $(pom_text pom.xml | sed -n 's:.*<module>\(.*\)</module>.*:\1:p'); do
  pom="$m/pom.xml"
  text=$(pom_text "$pom")
  if grep -q '<maven.deploy.skip>true</maven.deploy.skip>' <<<"$text"; then
    echo "skip  $m (not published)"
    continue
  fi
  if grep -q '<packaging>pom</packaging>' <<<"$text"; then
    grep -q '<parent>' <<<"$text" || has_elements "$pom"
    continue
  fi
  published_jars+=("$m")
  t="$m/target"
  main="$t/$m-$version.jar"; sources="$t/$m-$version-sources.jar"; javadoc="$t/$m-$version-javadoc.jar"
  if [ ! -d "$m/src/main/java" ]; then
    echo "warn  $m has no main sources yet: no javadoc jar to check (Central will refuse it until it has)"
    [ -f "$main" ] || bad "$main missing"
    continue
  fi
  if [ -f "$main" ] && jar tf "$main" | grep -q '\.class$'; then
    # The module line is "<name>@<version> [automatic]"; for an automatic module the JDK prints a
    # "No module descriptor found" line before it.
    name=$(jar --describe-module --file "$main" 2>/dev/null | grep -m1 '@' | awk '{print $1}' | sed 's/@.*//')
    case "$name" in
      dev.corral.*) ok "$main (module $name$(jar --describe-module --file "$main" | grep -q automatic && echo ', automatic'))" ;;
      *) bad "$main has no module-info nor Automatic-Module-Name (found: '${name:-none}')" ;;
    esac
  else
    bad "$main missing or without classes"
  fi
  [ -f "$sources" ] && jar tf "$sources" | grep -q '\.java$' && ok "$sources" || bad "$sources missing or without .java files"
  [ -f "$javadoc" ] && jar tf "$javadoc" | grep -q '^index.html$' && ok "$javadoc" || bad "$javadoc missing or without index.html"
done

bom=corral-bom/pom.xml
if [ -f "$bom" ]; then
  bom_version=$(pom_text "$bom" | sed -n '/<artifactId>corral-bom<\/artifactId>/,/<version>/s:.*<version>\(.*\)</version>.*:\1:p' | head -n1)
  [ "$bom_version" = "$version" ] && ok "$bom at $version" || bad "$bom is at '$bom_version', the reactor at $version"
  bom_text=$(pom_text "$bom")
  for m in "${published_jars[@]}"; do
    grep -q "<artifactId>$m</artifactId>" <<<"$bom_text" && ok "$bom lists $m" || bad "$bom does not list $m (add a <dependency> for it)"
  done
else
  bad "corral-bom/pom.xml missing"
fi

if [ $fail -ne 0 ]; then
  echo "release-check: FAILED"
  exit 1
fi
echo "release-check: every published module has what Maven Central requires (unsigned: signing happens at release)"
