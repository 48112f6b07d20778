package server

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// AdminTokenFile, in the data directory, holds the generated admin token
// when none is configured.
const AdminTokenFile = "admin-token"

// adminToken returns the configured admin token, or the one in the data
// directory's AdminTokenFile, generating it (32 random bytes, base64url)
// on the first start. file is the path read or written, "" when the
// token was configured.
func adminToken(cfg Config) (token, file string, err error) {
	if cfg.AdminToken != "" {
		if len(cfg.AdminToken) < 16 {
			return "", "", errors.New("-admin-token must be at least 16 characters")
		}
		return cfg.AdminToken, "", nil
	}
	file = filepath.Join(cfg.DataDir, AdminTokenFile)
	b, err := os.ReadFile(file)
	switch {
	case err == nil:
		if t := strings.TrimSpace(string(b)); len(t) >= 16 {
			return t, file, nil
		}
		return "", "", fmt.Errorf("%s holds no admin token of at least 16 characters; delete it to get a new one", file)
	case !errors.Is(err, fs.ErrNotExist):
		return "", "", err
	}
	raw := make([]byte, 32)
	rand.Read(raw)
	token = base64.RawURLEncoding.EncodeToString(raw)
	if err := os.WriteFile(file, []byte(token+"\n"), 0o600); err != nil {
		return "", "", fmt.Errorf("writing the admin token: %w", err)
	}
	return token, file, nil
}
