package core

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"sync"
)

// Config holds the engine options. Engines read it when they are created; changing it
// affects engines created afterwards (and the buffer pool at once).
type Config struct {
	HandlePoolMaxPerKey int64  `json:"handle_pool_max_per_key"`
	HandlePoolMaxTotal  int64  `json:"handle_pool_max_total"`
	IOWorkerCount       int64  `json:"io_worker_count"`
	BufferPoolMax       int64  `json:"buffer_pool_max"` // read by the Python package: file buffers kept for reuse
	BufferSize          int64  `json:"buffer_size"`
	CloseTimeoutMs      int64  `json:"close_timeout_ms"`
	QueueDepth          int64  `json:"io_uring_queue_depth"` // sizes every backend: SQ entries, worker queue, IOCP batch
	IOUringSQPoll       bool   `json:"io_uring_sqpoll"`
	EnableDebugLog      bool   `json:"enable_debug_log"` // read by the Python package's logger
	Backend             string `json:"backend"`
	// Read by the Python driver: completions are handed to waiting tasks in slices
	// sized so that one event-loop iteration takes about AdaptiveTargetLatencyUs.
	AdaptiveBatch           bool  `json:"adaptive_batch"`
	AdaptiveTargetLatencyUs int64 `json:"adaptive_target_latency_us"`
	// Read by the Python driver: how long the loop looks for completions itself, once
	// per iteration, instead of sleeping until the notifier wakes it.
	IdleSpinUs int64 `json:"idle_spin_us"`
	// Read by the Python driver: while tasks wait for a turn at an iteration's budget
	// for work made at once, a task's turn at new work is 1/TurnShare of it.
	TurnShare int64 `json:"turn_share"`
}

// DefaultConfig returns the documented defaults. AYAFILEIO_BACKEND, when set, replaces
// the default backend ("auto", "io_uring", "worker"); an invalid value is ignored here
// and reported by ConfigFromEnv.
func DefaultConfig() Config {
	c := Config{
		// Off: a pooled handle keeps a closed file open, so on Windows its delete stays
		// pending and its directory cannot be removed, which the built-in open() never does.
		HandlePoolMaxPerKey:     0,
		HandlePoolMaxTotal:      0,
		IOWorkerCount:           0,
		BufferPoolMax:           512,
		BufferSize:              65536,
		CloseTimeoutMs:          4000,
		QueueDepth:              256,
		Backend:                 "auto",
		AdaptiveBatch:           true,
		AdaptiveTargetLatencyUs: 1000,
		IdleSpinUs:              200,
		TurnShare:               1,
	}
	if v := os.Getenv("AYAFILEIO_BACKEND"); v != "" && validBackend(v) {
		c.Backend = v
	}
	return c
}

type intOption struct {
	min, max int64
	field    func(*Config) *int64
	note     string
}

type boolOption func(*Config) *bool

var intOptions = map[string]intOption{
	"handle_pool_max_per_key":    {0, 1 << 16, func(c *Config) *int64 { return &c.HandlePoolMaxPerKey }, " (0 = no pool)"},
	"handle_pool_max_total":      {0, 1 << 20, func(c *Config) *int64 { return &c.HandlePoolMaxTotal }, " (0 = no pool)"},
	"io_worker_count":            {0, 1024, func(c *Config) *int64 { return &c.IOWorkerCount }, " (0 = automatic)"},
	"buffer_pool_max":            {0, 1 << 20, func(c *Config) *int64 { return &c.BufferPoolMax }, ""},
	"buffer_size":                {4096, 64 << 20, func(c *Config) *int64 { return &c.BufferSize }, " (a multiple of 4096)"},
	"close_timeout_ms":           {0, 3600_000, func(c *Config) *int64 { return &c.CloseTimeoutMs }, ""},
	"io_uring_queue_depth":       {1, 32768, func(c *Config) *int64 { return &c.QueueDepth }, " (a power of two)"},
	"adaptive_target_latency_us": {50, 1_000_000, func(c *Config) *int64 { return &c.AdaptiveTargetLatencyUs }, ""},
	"idle_spin_us":               {0, 100_000, func(c *Config) *int64 { return &c.IdleSpinUs }, " (0 = never)"},
	"turn_share":                 {1, 64, func(c *Config) *int64 { return &c.TurnShare }, " (1 = the whole budget)"},
}

var boolOptions = map[string]boolOption{
	"io_uring_sqpoll":  func(c *Config) *bool { return &c.IOUringSQPoll },
	"enable_debug_log": func(c *Config) *bool { return &c.EnableDebugLog },
	"adaptive_batch":   func(c *Config) *bool { return &c.AdaptiveBatch },
}

func validBackend(v string) bool { return v == "auto" || v == "io_uring" || v == "worker" }

// Set validates and assigns one option given as text ("true"/"false" for booleans).
// The error names the key and what it accepts.
func (c *Config) Set(key, value string) error {
	if o, ok := intOptions[key]; ok {
		n, err := strconv.ParseInt(value, 10, 64)
		if err != nil {
			return fmt.Errorf("%s must be an integer, got %q", key, value)
		}
		if n < o.min || n > o.max {
			return fmt.Errorf("%s must be between %d and %d%s, got %d", key, o.min, o.max, o.note, n)
		}
		if key == "buffer_size" && n%4096 != 0 {
			return fmt.Errorf("buffer_size must be a multiple of 4096, got %d", n)
		}
		if key == "io_uring_queue_depth" && n&(n-1) != 0 {
			return fmt.Errorf("io_uring_queue_depth must be a power of two between 1 and 32768, got %d", n)
		}
		*o.field(c) = n
		return nil
	}
	if f, ok := boolOptions[key]; ok {
		b, err := strconv.ParseBool(value)
		if err != nil || (value != "true" && value != "false") {
			return fmt.Errorf("%s must be true or false, got %q", key, value)
		}
		*f(c) = b
		return nil
	}
	if key == "backend" {
		if !validBackend(value) {
			return fmt.Errorf("backend must be one of auto, io_uring, worker, got %q", value)
		}
		c.Backend = value
		return nil
	}
	return fmt.Errorf("unknown option %q (known: %v)", key, OptionNames())
}

// OptionNames lists every option key, sorted.
func OptionNames() []string {
	names := []string{"backend"}
	for k := range intOptions {
		names = append(names, k)
	}
	for k := range boolOptions {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// ConfigFromEnv reports an invalid AYAFILEIO_BACKEND so callers can say so instead of
// silently ignoring a typo.
func ConfigFromEnv() error {
	if v := os.Getenv("AYAFILEIO_BACKEND"); v != "" && !validBackend(v) {
		return fmt.Errorf("AYAFILEIO_BACKEND must be one of auto, io_uring, worker, got %q", v)
	}
	return nil
}

var (
	globalMu  sync.Mutex
	globalCfg = DefaultConfig()
)

// CurrentConfig returns a copy of the process-wide configuration.
func CurrentConfig() Config {
	globalMu.Lock()
	defer globalMu.Unlock()
	return globalCfg
}

// Configure applies key/value pairs atomically: either all are valid and applied, or
// none is and the first error is returned.
func Configure(pairs map[string]string) error {
	globalMu.Lock()
	next := globalCfg
	keys := make([]string, 0, len(pairs))
	for k := range pairs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := next.Set(k, pairs[k]); err != nil {
			globalMu.Unlock()
			return err
		}
	}
	globalCfg = next
	globalMu.Unlock()
	return nil
}

// ResetConfig restores the defaults.
func ResetConfig() {
	globalMu.Lock()
	globalCfg = DefaultConfig()
	globalMu.Unlock()
}
