package core_test

import (
	"bytes"
	"testing"

	"github.com/ayafileio/ayafileio/core"
	"golang.org/x/sys/unix"
)

// FuzzDecodeRequest feeds arbitrary bytes to the record decoder. A record that fails
// validation must complete with -EINVAL through a real engine (never reach the kernel,
// never panic); one that passes must survive an encode/decode round trip unchanged.
func FuzzDecodeRequest(f *testing.F) {
	seed := make([]byte, core.RequestSize)
	(&core.Request{Op: core.OpRead, UserData: 7, FD: 3, Addr: 4096, Len: 4096}).Encode(seed)
	f.Add(seed)
	f.Add(bytes.Repeat([]byte{0xff}, core.RequestSize))
	f.Add([]byte{1, 2, 3})
	e := newEngine(f, "worker")
	out := make([]core.Completion, 4)
	f.Fuzz(func(t *testing.T, b []byte) {
		r, ok := core.DecodeRequest(b)
		if !ok {
			if len(b) >= core.RequestSize {
				t.Fatal("a full record failed to decode")
			}
			return
		}
		if r.Validate() {
			enc := make([]byte, core.RequestSize)
			r.Encode(enc)
			if back, _ := core.DecodeRequest(enc); back != r {
				t.Fatalf("round trip changed %+v into %+v", r, back)
			}
			return
		}
		r.Flags &^= core.FlagLink
		if _, err := e.Submit([]core.Request{r}); err != nil {
			t.Fatal(err)
		}
		if n := e.Reap(out); n != 1 || out[0].Res != -int64(unix.EINVAL) {
			t.Fatalf("invalid %+v gave %v", r, out[:n])
		}
	})
}
