package server

import (
	"fmt"
	"net/http"
	"os"

	"smartd/fhirproxy/upstream"
)

// newUpstream builds the handler of upstream proxy mode from the config,
// or returns nil when cfg.Upstream is not set.
func (s *Server) newUpstream() (http.Handler, error) {
	cfg := s.cfg
	if cfg.Upstream == "" {
		if cfg.UpstreamToken != "" || cfg.UpstreamClientID != "" || cfg.UpstreamKeyFile != "" {
			return nil, fmt.Errorf("-upstream-token, -upstream-client-id and -upstream-key need -upstream")
		}
		return nil, nil
	}
	creds := upstream.Credentials{Bearer: cfg.UpstreamToken, ClientID: cfg.UpstreamClientID, Scope: cfg.UpstreamScope}
	if cfg.UpstreamKeyFile != "" {
		pem, err := os.ReadFile(cfg.UpstreamKeyFile)
		if err != nil {
			return nil, fmt.Errorf("-upstream-key: %w", err)
		}
		if creds.Key, err = upstream.ParseKey(pem); err != nil {
			return nil, fmt.Errorf("-upstream-key %s: %w", cfg.UpstreamKeyFile, err)
		}
	}
	h, err := upstream.New(upstream.Options{Upstream: cfg.Upstream, FHIR: s.fhir, Auth: creds, Log: s.log, MaxBody: cfg.MaxBody, Audit: s.auditFHIR})
	if err != nil {
		return nil, err
	}
	s.log.Info("fronting an upstream FHIR server", "upstream", cfg.Upstream, "backend_client", cfg.UpstreamClientID, "static_token", cfg.UpstreamToken != "")
	return h, nil
}
