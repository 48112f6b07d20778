package conformance

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// allowedModules are the third-party modules the package may import,
// besides the standard library.
var allowedModules = []string{
	"github.com/golang-jwt/jwt/v5",
	"golang.org/x/oauth2",
	"golang.org/x/net/html",
	"github.com/go-jose/go-jose/v4",
	"github.com/MicahParks/jwkset",
	"github.com/google/go-cmp",
}

// TestImportsNoSmartdPackage: the conformance client is independent of
// the server it tests: no file of the package, test files included,
// imports a smartd package, and third-party imports are the allowed few.
func TestImportsNoSmartdPackage(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no Go files: %v", err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if msg := importProblem(path); msg != "" {
				t.Errorf("%s imports %q: %s", name, path, msg)
			}
		}
	}
}

// importProblem says why path may not be imported, "" if it may.
func importProblem(path string) string {
	if strings.HasPrefix(path, "smartd") {
		return "the conformance client must not import smartd packages"
	}
	first, _, _ := strings.Cut(path, "/")
	if !strings.Contains(first, ".") {
		return "" // the standard library
	}
	for _, m := range allowedModules {
		if path == m || strings.HasPrefix(path, m+"/") {
			return ""
		}
	}
	return "not one of the allowed modules"
}

func TestImportProblem(t *testing.T) {
	for path, bad := range map[string]bool{
		"smartd": true, "smartd/authz": true, "smartd/authz/scope": true, "github.com/gin-gonic/gin": true,
		"net/http": false, "golang.org/x/net/html": false, "github.com/golang-jwt/jwt/v5": false,
		"smartdx/other": true, "golang.org/x/net/http2": true,
	} {
		if got := importProblem(path) != ""; got != bad {
			t.Errorf("importProblem(%q) refuses: %v, want %v", path, got, bad)
		}
	}
}
