# The native build is CMake (CMakeLists.txt), driven by cmake-js through
# `npm install` / `npm run build:native`. This file only exists so that tools which
# look for binding.gyp (prebuildify, node-gyp-build) recognise a native package; it
# lists no sources and must not be used to build.
{ "targets": [] }
