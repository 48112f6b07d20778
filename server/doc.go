// Package server assembles smartd's HTTP server from its parts (the FHIR
// API, and later the authorization server and the UI) over one store, and
// runs it: TLS, timeouts, body limits, request ids, JSON access logs,
// health checks and graceful shutdown. cmd/smartd and the tests build the
// same router through New, so tests exercise what main serves.
package server
