package store

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
)

func formatCursorUint(n uint64) string { return strconv.FormatUint(n, 36) }

func parseCursorUint(s string) (uint64, error) {
	n, err := strconv.ParseUint(s, 36, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: malformed paging cursor", ErrBadCursor)
	}
	return n, nil
}

// searchCursor is the position after the last entry of a search page:
// keyset paging, so a resource added between pages causes neither a
// duplicate nor a gap.
type searchCursor struct {
	Type string  `json:"t,omitempty"` // system search: the type reached
	Key  []int64 `json:"k,omitempty"` // _sort: the sort keys of the last entry
	ID   string  `json:"i"`
}

func (c searchCursor) String() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func parseSearchCursor(s string) (searchCursor, error) {
	var c searchCursor
	if s == "" {
		return c, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil {
		return c, fmt.Errorf("%w: malformed paging cursor", ErrBadCursor)
	}
	return c, nil
}
