package sampleapp

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImports keeps the sample app an app: it learns everything over the
// protocol (discovery, token endpoint, FHIR API), so of smartd it imports
// only the page layout, the page headers and the registry type of its own
// registration, never the authorization server, the FHIR server or the
// stores, and cannot pass by sharing their mistakes.
func TestImports(t *testing.T) {
	allowed := map[string]bool{"smartd/ui": true, "smartd/sessions": true, "smartd/apps/registry": true}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if (path == "smartd" || strings.HasPrefix(path, "smartd/")) && !allowed[path] {
				t.Errorf("%s imports %s", name, path)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no source files checked")
	}
}
