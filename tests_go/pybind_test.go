package tests_go

import (
	"encoding/json"
	"reflect"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/ayafileio/ayafileio/core"
	"github.com/ayafileio/ayafileio/pybind"
)

const eBADF = -9 // what every entry point answers for an engine id that is not open

// engineAnswer is EngineNew's JSON as the driver reads it.
type engineAnswer struct {
	ID       *int64         `json:"id"`
	NotifyFD *int           `json:"notify_fd"`
	Info     map[string]any `json:"info"`
	Error    string         `json:"error"`
}

func decode[T any](t testing.TB, text string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(text), &v); err != nil {
		t.Fatalf("not JSON: %q: %v", text, err)
	}
	return v
}

// configure applies options as _config.configure does (a JSON object of strings) and
// restores the defaults when the test ends.
func configure(t testing.TB, pairs map[string]string) {
	t.Helper()
	t.Cleanup(func() { pybind.ConfigReset() })
	text, _ := json.Marshal(pairs)
	if msg := pybind.ConfigSet(string(text)); msg != "" {
		t.Fatalf("ConfigSet(%s): %s", text, msg)
	}
}

// newEngine creates an engine as the driver does, on a thread of its own for the whole
// test (an io_uring set up with SINGLE_ISSUER takes submissions from its creator only,
// as a driver's loop thread is), and closes it at the end.
func newEngine(t testing.TB) (int64, engineAnswer) {
	t.Helper()
	runtime.LockOSThread()
	t.Cleanup(runtime.UnlockOSThread)
	ans := decode[engineAnswer](t, pybind.EngineNew())
	if ans.Error != "" || ans.ID == nil || ans.NotifyFD == nil || ans.Info == nil {
		t.Fatalf("EngineNew: %+v", ans)
	}
	id := *ans.ID
	t.Cleanup(func() {
		// -EBADF: the test closed it itself.
		if left := pybind.EngineClose(id, 1000); left != 0 && left != eBADF {
			t.Errorf("EngineClose(%d) = %d, want 0 left in flight", id, left)
		}
	})
	return id, ans
}

type stats struct {
	LiveEngines   int64  `json:"live_engines"`
	Inflight      int64  `json:"inflight"`
	IOUringEnters int64  `json:"io_uring_enters"`
	NotifyWakeUps int64  `json:"notify_wakeups"`
	GoHeapAlloc   uint64 `json:"go_heap_alloc"`
}

func readStats(t testing.TB) stats {
	t.Helper()
	text := pybind.Stats()
	keys := decode[map[string]any](t, text)
	want := []string{"go_heap_alloc", "inflight", "io_uring_enters", "live_engines", "notify_wakeups"}
	got := make([]string, 0, len(keys))
	for k := range keys {
		got = append(got, k)
	}
	sort.Strings(got)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Stats keys %v, want %v", got, want)
	}
	return decode[stats](t, text)
}

// EngineNew answers with what the driver reads: a fresh id, the notify fd, and the
// backend info whose op lists get_backend_info() and engine_ops() read; EngineClose
// takes the engine out of Stats.
func TestEngineNewAnswer(t *testing.T) {
	before := readStats(t).LiveEngines
	id1, ans := newEngine(t)
	id2, _ := newEngine(t)
	if id1 <= 0 || id2 == id1 {
		t.Fatalf("engine ids %d and %d", id1, id2)
	}
	info := ans.Info
	if info["platform"] != runtime.GOOS {
		t.Errorf("platform %v, want %s", info["platform"], runtime.GOOS)
	}
	if b, _ := info["backend"].(string); b == "" {
		t.Errorf("no backend in %v", info)
	}
	if _, ok := info["direct_descriptors"].(bool); !ok {
		t.Errorf("direct_descriptors %v is not a bool", info["direct_descriptors"])
	}
	if qd, _ := info["queue_depth"].(float64); qd < 1 {
		t.Errorf("queue_depth %v", info["queue_depth"])
	}
	known := map[string]bool{}
	for op := core.Op(0); op.String() != "invalid"; op++ {
		known[op.String()] = true
	}
	ops := 0
	for _, key := range []string{"native_ops", "worker_ops"} {
		list, ok := info[key].([]any) // a list, never null: Python iterates it
		if !ok {
			t.Fatalf("%s is %v, not a list", key, info[key])
		}
		for _, name := range list {
			if s, _ := name.(string); !known[s] {
				t.Fatalf("%s holds %v, not an op name", key, name)
			}
		}
		ops += len(list)
	}
	if ops == 0 {
		t.Fatal("the engine performs no op")
	}
	if got := readStats(t).LiveEngines; got != before+2 {
		t.Fatalf("live_engines %d with two engines open, was %d", got, before)
	}
	if pybind.EngineClose(id2, 1000) != 0 {
		t.Fatal("EngineClose of an idle engine left requests in flight")
	}
	if got := readStats(t).LiveEngines; got != before+1 {
		t.Fatalf("live_engines %d after one close, want %d", got, before+1)
	}
	if got := pybind.EngineClose(id2, 1000); got != eBADF {
		t.Fatalf("second EngineClose = %d, want -EBADF", got)
	}
}

// An id that was never handed out, or whose engine is closed, gets -EBADF from every
// entry point that takes one, never a panic (the addresses are never looked at).
func TestUnknownOrClosedEngineIsEBADF(t *testing.T) {
	closed := decode[engineAnswer](t, pybind.EngineNew())
	if closed.ID == nil {
		t.Fatalf("EngineNew: %+v", closed)
	}
	pybind.EngineClose(*closed.ID, 0)
	for _, id := range []int64{*closed.ID, 0, -1, 1 << 40} {
		got := map[string]int64{
			"EngineExchange":   pybind.EngineExchange(id, 0, 1, 0, 1, 0),
			"EngineCancel":     pybind.EngineCancel(id, 1),
			"EngineWakeSocket": pybind.EngineWakeSocket(id, 1<<20),
			"EngineClose":      pybind.EngineClose(id, 0),
		}
		for name, res := range got {
			if res != eBADF {
				t.Errorf("%s(id %d) = %d, want -EBADF", name, id, res)
			}
		}
	}
}

// ConfigSet answers "" or the text _config.configure raises as ValueError; a failed
// call applies nothing; ConfigGet shows what is set and ConfigReset the defaults, and
// engines created afterwards use the options.
func TestConfigRoundTrip(t *testing.T) {
	defaults := pybind.ConfigGet()
	t.Cleanup(func() { pybind.ConfigReset() })
	bad := map[string]string{
		`{"buffer_size": `:                  "unexpected end of JSON input",
		`["buffer_size"]`:                   "json: cannot unmarshal array into Go value of type map[string]string",
		`{"buffer_size": 8192}`:             "json: cannot unmarshal number into Go value of type string",
		`{"buffer_size": "8k"}`:             `buffer_size must be an integer, got "8k"`,
		`{"buffer_size": "5000"}`:           "buffer_size must be a multiple of 4096, got 5000",
		`{"buffer_size": "0"}`:              "buffer_size must be between 4096 and 67108864 (a multiple of 4096), got 0",
		`{"io_uring_queue_depth": "100"}`:   "io_uring_queue_depth must be a power of two between 1 and 32768, got 100",
		`{"adaptive_batch": "1"}`:           `adaptive_batch must be true or false, got "1"`,
		`{"backend": "uring"}`:              `backend must be one of auto, io_uring, worker, got "uring"`,
		`{"buffer_size": "8192", "x": "1"}`: `unknown option "x" (known: [adaptive_batch adaptive_target_latency_us backend buffer_pool_max buffer_size close_timeout_ms enable_debug_log handle_pool_max_per_key handle_pool_max_total idle_spin_us io_uring_queue_depth io_uring_sqpoll io_worker_count turn_share])`,
	}
	for pairs, want := range bad {
		got := pybind.ConfigSet(pairs)
		if strings.Contains(want, "Go value") { // encoding/json's wording varies by release
			if !strings.HasPrefix(got, "json: cannot unmarshal") {
				t.Errorf("ConfigSet(%s) = %q, want %q", pairs, got, want)
			}
		} else if got != want {
			t.Errorf("ConfigSet(%s) = %q, want %q", pairs, got, want)
		}
		if now := pybind.ConfigGet(); now != defaults {
			t.Fatalf("the failed ConfigSet(%s) changed the config to %s", pairs, now)
		}
	}
	if msg := pybind.ConfigSet(`{"buffer_size": "8192", "io_uring_queue_depth": "64", "adaptive_batch": "false"}`); msg != "" {
		t.Fatalf("valid options refused: %s", msg)
	}
	cfg := decode[map[string]any](t, pybind.ConfigGet())
	if cfg["buffer_size"] != 8192.0 || cfg["io_uring_queue_depth"] != 64.0 || cfg["adaptive_batch"] != false {
		t.Fatalf("ConfigGet after ConfigSet: %v", cfg)
	}
	_, ans := newEngine(t)
	if ans.Info["queue_depth"] != 64.0 {
		t.Fatalf("an engine created after io_uring_queue_depth=64 has queue_depth %v", ans.Info["queue_depth"])
	}
	if pybind.ConfigReset() != 0 || pybind.ConfigGet() != defaults {
		t.Fatalf("ConfigReset gave %s, want %s", pybind.ConfigGet(), defaults)
	}
}

// AYAFILEIO_BACKEND forces the backend of engines created after the config is read (a
// fresh process, or ConfigReset); a typo is reported by ConfigEnvError, which the
// driver raises, and ignored by the config.
func TestBackendFromEnvironment(t *testing.T) {
	t.Cleanup(func() { pybind.ConfigReset() })
	t.Setenv("AYAFILEIO_BACKEND", "uring")
	if got, want := pybind.ConfigEnvError(), `AYAFILEIO_BACKEND must be one of auto, io_uring, worker, got "uring"`; got != want {
		t.Fatalf("ConfigEnvError() = %q, want %q", got, want)
	}
	pybind.ConfigReset()
	if b := decode[map[string]any](t, pybind.ConfigGet())["backend"]; b != "auto" {
		t.Fatalf("an invalid AYAFILEIO_BACKEND set backend %v", b)
	}
	t.Setenv("AYAFILEIO_BACKEND", "worker")
	if got := pybind.ConfigEnvError(); got != "" {
		t.Fatalf("ConfigEnvError() = %q for worker", got)
	}
	pybind.ConfigReset()
	if b := decode[map[string]any](t, pybind.ConfigGet())["backend"]; b != "worker" {
		t.Fatalf("AYAFILEIO_BACKEND=worker gave backend %v", b)
	}
}
