package core

import "encoding/binary"

// What the black-box tests (package core_test) reach beyond the package's API.

// DecodeRequest and Validate are the decoder and the check every submitted record goes
// through, for the fuzz test.
var DecodeRequest = decodeRequest

func (r *Request) Validate() bool { return r.validate() }

// Encode writes r in its wire form into b (at least RequestSize bytes): the inverse of
// DecodeRequest, which the engine never needs (Python writes the records).
func (r *Request) Encode(b []byte) {
	le := binary.LittleEndian
	clear(b[:RequestSize])
	b[0] = byte(r.Op)
	b[1] = r.Flags
	le.PutUint32(b[4:], uint32(r.FD))
	le.PutUint64(b[8:], r.UserData)
	le.PutUint64(b[16:], r.Addr)
	le.PutUint32(b[24:], r.Len)
	le.PutUint32(b[28:], r.OpFlags)
	le.PutUint64(b[32:], r.Off)
	le.PutUint64(b[40:], r.Addr2)
	le.PutUint32(b[48:], r.Mode)
	le.PutUint32(b[52:], uint32(r.DirFD))
	le.PutUint32(b[56:], r.Slot)
}
