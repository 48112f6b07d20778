package main

import (
	"crypto/sha1"
	"fmt"
)

// nsURL is the RFC 9562 name space for URLs (Appendix A), under which
// uuidFor names its UUIDs.
var nsURL = [16]byte{0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}

// uuidFor returns the name-based (version 5, SHA-1) UUID of name in the URL
// name space (RFC 9562 §5.5), so that every run writes the same fullUrls.
func uuidFor(name string) string {
	h := sha1.New()
	h.Write(nsURL[:])
	h.Write([]byte(name))
	u := h.Sum(nil)[:16]
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// npi appends the check digit to a 9-digit NPI base: the Luhn digit computed
// over the base prefixed with 80840, as the CMS NPI check digit standard says.
func npi(base string) string {
	if len(base) != 9 {
		panic("npi: base must have 9 digits")
	}
	s := "80840" + base
	sum := 0
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if (len(s)-1-i)%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return base + string(rune('0'+(10-sum%10)%10))
}
