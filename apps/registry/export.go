package registry

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// ExportFormat names the format and version of an export document.
const ExportFormat = "smartd.apps/v1"

// ExportFile is the JSON document that Export writes and Import reads.
// Apps carry secret and registration token digests, never plaintext, so
// that clients keep working after a move; still, treat the file as
// sensitive.
type ExportFile struct {
	Format   string    `json:"format"`
	Exported time.Time `json:"exported"`
	Apps     []*App    `json:"apps"`
}

// ImportOptions control Import. The zero value refuses client_ids that
// already exist.
type ImportOptions struct {
	// Replace overwrites existing apps with the imported ones.
	Replace bool
}

// ImportResult lists the client_ids an Import wrote, sorted.
type ImportResult struct {
	Created  []string
	Replaced []string
}

// Export writes every registration as an indented ExportFile, apps in
// List order.
func (s *Store) Export(w io.Writer) error {
	apps, err := s.List()
	if err != nil {
		return err
	}
	if apps == nil {
		apps = []*App{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(ExportFile{Format: ExportFormat, Exported: s.clock(), Apps: apps})
}

// Import reads an ExportFile and stores its apps, all or none. Each app
// is validated as Create would, must have a client_id, and, if
// confidential-symmetric, its secret digest; Created and Updated are kept
// (set to now if absent). Unknown members and other formats are refused,
// so a newer export is not silently cut down. Apps whose client_id exists
// fail the whole import with ErrExists unless opts.Replace is set.
func (s *Store) Import(r io.Reader, opts ImportOptions) (ImportResult, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var f ExportFile
	if err := dec.Decode(&f); err != nil {
		return ImportResult{}, fmt.Errorf("registry: import: %w", err)
	}
	if f.Format != ExportFormat {
		return ImportResult{}, fmt.Errorf("registry: import: format %q; this smartd reads %q", f.Format, ExportFormat)
	}
	apps, err := s.checkImport(f.Apps)
	if err != nil {
		return ImportResult{}, err
	}
	var res ImportResult
	err = s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketClients)
		var exist []string
		for _, a := range apps {
			if b.Get([]byte(a.ClientID)) != nil {
				exist = append(exist, a.ClientID)
			}
		}
		if len(exist) > 0 && !opts.Replace {
			return fmt.Errorf("%w: %s (import with replace to overwrite)", ErrExists, strings.Join(exist, ", "))
		}
		for _, a := range apps {
			if err := put(b, a); err != nil {
				return err
			}
		}
		res.Replaced = exist
		for _, a := range apps {
			if !slices.Contains(exist, a.ClientID) {
				res.Created = append(res.Created, a.ClientID)
			}
		}
		return nil
	})
	if err != nil {
		return ImportResult{}, err
	}
	return res, nil
}

// checkImport validates the apps of an import and returns them sorted by
// client_id (sorted keys keep a large bbolt write fast).
func (s *Store) checkImport(apps []*App) ([]*App, error) {
	var errs []error
	seen := map[string]bool{}
	now := s.clock()
	var out []*App
	for i, a := range apps {
		switch {
		case a == nil || a.ClientID == "":
			errs = append(errs, fmt.Errorf("registry: import: app #%d has no client_id", i+1))
			continue
		case seen[a.ClientID]:
			errs = append(errs, fmt.Errorf("registry: import: app %q appears twice", a.ClientID))
			continue
		}
		seen[a.ClientID] = true
		if err := a.Validate(s.validate); err != nil {
			errs = append(errs, fmt.Errorf("registry: import: app %q: %w", a.ClientID, err))
		}
		if a.Type() == ConfidentialSymmetric && len(a.SecretHash) == 0 {
			errs = append(errs, fmt.Errorf("registry: import: app %q is confidential-symmetric but has no secret_hash", a.ClientID))
		}
		if a.Created.IsZero() {
			a.Created = now
		}
		if a.Updated.IsZero() {
			a.Updated = a.Created
		}
		out = append(out, a)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	slices.SortFunc(out, func(x, y *App) int { return strings.Compare(x.ClientID, y.ClientID) })
	return out, nil
}
