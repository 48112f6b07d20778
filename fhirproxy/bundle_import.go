package fhirproxy

import "smartd/fhirproxy/store"

// Import loads a transaction, batch or collection bundle all or nothing,
// as the import command wants: a batch runs as one transaction, and a
// collection's entries become PUTs (resources with an id) or POSTs.
func (s *Server) Import(body []byte) (kind string, entries []EntryResult, err error) {
	p, err := s.PrepareImport(body)
	if err != nil {
		return "", nil, err
	}
	out, err := s.CommitImport(p)
	return p.kind, out[0], err
}

// PreparedBundle is a bundle validated and ready to commit.
type PreparedBundle struct {
	kind    string
	entries []*bundleEntry
}

// Size is the number of entries.
func (p *PreparedBundle) Size() int { return len(p.entries) }

// Groupable reports whether the bundle may share a store transaction with
// the bundles before it: it has no conditional create, whose search would
// not see what those bundles write.
func (p *PreparedBundle) Groupable() bool {
	for _, e := range p.entries {
		if e.req.IfNoneExist != "" {
			return false
		}
	}
	return true
}

// PrepareImport parses and validates a bundle for Import without touching
// the store, so that an importer can prepare one bundle while the store
// commits the previous one.
func (s *Server) PrepareImport(body []byte) (*PreparedBundle, error) {
	kind, entries, err := s.parseBundle(body, true, nil)
	if err != nil {
		return nil, err
	}
	s.prepareAll(entries)
	for _, e := range entries {
		if e.err != nil {
			return nil, e.err
		}
	}
	return &PreparedBundle{kind: kind, entries: entries}, nil
}

// CommitImport commits prepared bundles in one store transaction, all or
// nothing, each with the transaction rules as if alone. Importers group
// bundles to share one commit (most of the cost of a bundle is writing the
// B+tree pages it dirties) and, when a group fails, commit its bundles
// one by one to find the one at fault: a group can fail where its bundles
// alone would not, e.g. a conditional reference to a resource that an
// earlier bundle of the group creates.
func (s *Server) CommitImport(ps ...*PreparedBundle) ([][]EntryResult, error) {
	err := s.store.Update(func(tx *store.Tx) error {
		for _, p := range ps {
			if err := s.transactionIn(tx, p.entries); err != nil {
				return err
			}
		}
		return nil
	})
	out := make([][]EntryResult, len(ps))
	for i, p := range ps {
		out[i] = results(p.entries)
	}
	return out, err
}
