package ui

import (
	"net/http"
	"strconv"
)

// ErrorPageView is the view model of the page shown when an authorize
// request cannot be redirected back to the app (unknown client_id, or a
// redirect_uri that is not registered; RFC 6749 §4.1.2.1).
type ErrorPageView struct {
	// Title is the heading and page title; empty uses the status text.
	Title string
	// Message is one plain sentence saying what went wrong.
	Message string
	// Detail is optional technical detail for the app's developer, such as
	// the OAuth error code; it must not contain secrets.
	Detail string
	// Status is the HTTP status the handler sends; 0 shows none. The page
	// only displays it; the caller writes the status line.
	Status int
}

func (v ErrorPageView) title() string {
	if v.Title != "" {
		return v.Title
	}
	if t := http.StatusText(v.Status); t != "" {
		return t
	}
	return "Something went wrong"
}

func (v ErrorPageView) statusLine() string {
	if v.Status == 0 {
		return ""
	}
	if t := http.StatusText(v.Status); t != "" {
		return "Error " + strconv.Itoa(v.Status) + ": " + t
	}
	return "Error " + strconv.Itoa(v.Status)
}
