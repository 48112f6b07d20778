package ui

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"strings"
)

// StaticPrefix is the URL path under which [Static] must be mounted.
const StaticPrefix = "/static/"

//go:embed static
var staticFiles embed.FS

// styleVersion is a short content hash of static/style.css, computed once.
var styleVersion = contentVersion("static/style.css")

// StylesheetURL returns the URL of the embedded stylesheet, versioned by
// its content hash so it can be cached for a year.
func StylesheetURL() string { return StaticPrefix + "style.css?v=" + styleVersion }

func contentVersion(name string) string {
	b, err := staticFiles.ReadFile(name)
	if err != nil {
		panic("ui: embedded asset missing: " + name)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:6])
}

// Static serves the embedded assets; mount it at [StaticPrefix]. A request
// whose ?v= matches the current content hash is cached for a year as
// immutable; any other is revalidated. Directory listings are not served.
func Static() http.Handler {
	sub, err := fs.Sub(staticFiles, "static")
	if err != nil {
		panic("ui: " + err.Error())
	}
	files := http.StripPrefix(strings.TrimSuffix(StaticPrefix, "/"), http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("X-Content-Type-Options", "nosniff")
		if r.URL.Query().Get("v") == styleVersion {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "no-cache")
		}
		files.ServeHTTP(w, r)
	})
}
