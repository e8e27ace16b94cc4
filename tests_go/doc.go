// Package tests_go holds black-box tests of the binding surface Python calls: the flat
// functions of package pybind, given scalars, addresses of record arrays and JSON, and
// answering with a value, -errno or JSON, driven as the modules of
// python/ayafileio/engine/ (driver, records, native, config) drive them. The engine's own tests are beside
// it in core/. This file only names the package on every platform.
package tests_go
