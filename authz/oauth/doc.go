// Package oauth holds the OAuth 2.0 error of smartd's authorization server
// (RFC 6749 §4.1.2.1 and §5.2, RFC 6750 §3.1) and the one function that
// writes it to the wire. Handlers return *Error values made by the
// constructors; Write renders them as JSON with the status, the
// no-store headers SMART requires on token responses (App Launch 2.2,
// "Obtain access token"), and a WWW-Authenticate challenge where the RFCs
// ask for one. Unknown errors become server_error without their details.
package oauth
