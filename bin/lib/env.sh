# Shared by the scripts in bin/: a UTF-8 locale, the JDK 25, and Debian packages on demand.

export LANG=C.UTF-8 LC_ALL=C.UTF-8

form_find_jdk() {
  if [ -n "${JAVA_HOME:-}" ] && "$JAVA_HOME/bin/java" -version 2>&1 | grep -qE 'version "(2[1-9]|[3-9][0-9])'; then
    return 0
  fi
  for jdk in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-25-jdk /usr/lib/jvm/java-25-openjdk-amd64; do
    if [ -x "$jdk/bin/java" ]; then export JAVA_HOME="$jdk"; return 0; fi
  done
  echo "form needs a JDK 21 or newer (25 preferred): none found; set JAVA_HOME" >&2
  return 1
}
form_find_jdk
export PATH="$JAVA_HOME/bin:$PATH"

_form_apt_updated=""
form_ensure_apt_lists() {
  if [ -z "$_form_apt_updated" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    _form_apt_updated=1
  fi
}

# Installs the named Debian packages that are missing (as root), or says what to install.
form_require_packages() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing ${missing[*]} ..." >&2
    form_ensure_apt_lists
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "form needs these Debian packages: ${missing[*]}" >&2
    echo "install them with: sudo apt-get install ${missing[*]}" >&2
    return 1
  fi
}
