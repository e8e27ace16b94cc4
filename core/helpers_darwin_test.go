package core_test

var wakeBackends = []string{"worker"} // macOS's only backend
