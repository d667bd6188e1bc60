#!/bin/sh
# A hand-written, autoconf-style configure for the bq2 demo packages: it honours --prefix,
# --build, --disable-werror, --without-<feature>, and the usual CC/CXX/CFLAGS/CXXFLAGS/LDFLAGS/LIBS
# from the environment, and writes config.mk for the package's Makefile.
set -e
prefix=/usr/local
build=
werror=@WERROR_DEFAULT@
features="@FEATURES@"
for arg in "$@"; do
  case $arg in
    --prefix=*) prefix=${arg#--prefix=} ;;
    --build=*) build=${arg#--build=} ;;
    --disable-werror) werror=no ;;
    --enable-werror) werror=yes ;;
    --without-*) eval "with_$(echo "${arg#--without-}" | tr - _)=no" ;;
    --with-*) eval "with_$(echo "${arg#--with-}" | tr - _)=yes" ;;
    --help)
      echo "Usage: ./configure [OPTION]..."
      echo "  --prefix=PREFIX     install architecture-independent files in PREFIX"
      echo "  --build=BUILD       configure for building on BUILD"
      [ "@WERROR_DEFAULT@" = yes ] && echo "  --disable-werror    do not treat compiler warnings as errors"
@FEATURE_HELP@
      exit 0 ;;
    *) echo "configure: WARNING: unrecognized option: $arg" >&2 ;;
  esac
done
echo "checking for a C compiler... ${CC:-cc}"
echo "checking build system type... ${build:-$(${CC:-cc} -dumpmachine)}"
for f in $features; do
  eval "want=\${with_$f:-yes}"
  if [ "$want" = yes ]; then
    echo "checking for lib$f... no"
    echo "configure: error: lib$f was not found; install it or use --without-$f to build without $f support" >&2
    exit 1
  fi
  echo "checking whether to build with $f... no"
done
warn=
[ "$werror" = yes ] && warn="-Wall -Werror"
cat > config.mk <<MK
PREFIX = $prefix
CC = ${CC:-cc}
CXX = ${CXX:-c++}
CFLAGS = ${CFLAGS:--O2} $warn
CXXFLAGS = ${CXXFLAGS:--O2} $warn
LDFLAGS = ${LDFLAGS:-}
LIBS = ${LIBS:-}
MK
echo "configure: creating config.mk (prefix=$prefix)"
