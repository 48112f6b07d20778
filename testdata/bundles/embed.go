package bundles

import (
	"embed"
	"io/fs"
	"slices"
)

// FS holds the sample bundles (*.json), in load order by file name.
//
//go:embed *.json
var FS embed.FS

// Names returns the bundle file names in load order.
func Names() []string {
	names, err := fs.Glob(FS, "*.json")
	if err != nil {
		panic("bundles: " + err.Error()) // the pattern is a constant
	}
	slices.Sort(names)
	return names
}
