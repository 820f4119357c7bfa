// The translation unit that carries the test executables' precompiled
// header (tests/pch/CMakeLists.txt); it has no code of its own.
