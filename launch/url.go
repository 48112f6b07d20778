package launch

import (
	"errors"
	"net/url"
	"strings"
)

// URL returns the app's launch URL with the EHR launch parameters added
// (SMART App Launch 2.2, "EHR Launch": the EHR opens the app's launch URL
// with iss and launch): iss is the FHIR base, verbatim, because apps and
// test kits such as Inferno compare it as a string; launch is the id.
//
// The launch URL keeps its own query parameters, in their order and
// encoding, and its fragment; iss and launch parameters already in it are
// replaced. launchURL must be an absolute http or https URL and iss an
// absolute URL.
func URL(launchURL, iss, id string) (string, error) {
	u, err := url.Parse(launchURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", errors.New("launch: the app's launch URL is not an absolute http(s) URL")
	}
	if b, err := url.Parse(iss); err != nil || !b.IsAbs() || b.Host == "" {
		return "", errors.New("launch: iss is not an absolute URL")
	}
	if id == "" {
		return "", errors.New("launch: no launch id")
	}
	var keep []string
	if u.RawQuery != "" {
		for _, p := range strings.Split(u.RawQuery, "&") {
			if k := queryKey(p); k != "iss" && k != "launch" {
				keep = append(keep, p)
			}
		}
	}
	keep = append(keep, "iss="+url.QueryEscape(iss), "launch="+url.QueryEscape(id))
	u.RawQuery = strings.Join(keep, "&")
	u.ForceQuery = false
	return u.String(), nil
}

// queryKey is the unescaped key of one key=value pair of a raw query.
func queryKey(pair string) string {
	k, _, _ := strings.Cut(pair, "=")
	if uk, err := url.QueryUnescape(k); err == nil {
		return uk
	}
	return k
}
