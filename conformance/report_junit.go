package conformance

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// JUnit XML, in the shape CI systems read (the Ant JUnit schema as
// Jenkins, GitLab and GitHub Actions reporters accept it).
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name      string      `xml:"name,attr"`
	Tests     int         `xml:"tests,attr"`
	Failures  int         `xml:"failures,attr"`
	Skipped   int         `xml:"skipped,attr"`
	Time      string      `xml:"time,attr"`
	Timestamp string      `xml:"timestamp,attr"`
	Cases     []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes the report as JUnit XML: one testsuite per group, one
// testcase per check, a failure element with the reason and the
// exchanges for a failed check, a skipped element with the reason for a
// skipped one.
func (r *Report) WriteJUnit(w io.Writer) error {
	passed, failed, skipped := r.Counts()
	out := junitSuites{Name: "SMART conformance of " + r.FHIRBase, Tests: passed + failed + skipped,
		Failures: failed, Skipped: skipped, Time: seconds(r.Duration.Seconds())}
	for _, g := range r.Groups() {
		s := junitSuite{Name: g.Group, Timestamp: r.Started.UTC().Format("2006-01-02T15:04:05")}
		total := 0.0
		for _, res := range g.Results {
			c := junitCase{Name: res.Name, Classname: "conformance." + g.Group, Time: seconds(res.Duration.Seconds())}
			total += res.Duration.Seconds()
			s.Tests++
			switch res.Status {
			case Fail:
				s.Failures++
				c.Failure = &junitMessage{Message: res.Reason, Type: "fail", Text: exchangesText(res)}
			case Skip:
				s.Skipped++
				c.Skipped = &junitMessage{Message: res.Reason}
			case Pass:
				c.SystemOut = res.Reason
			}
			s.Cases = append(s.Cases, c)
		}
		s.Time = seconds(total)
		out.Suites = append(out.Suites, s)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func seconds(s float64) string { return fmt.Sprintf("%.3f", s) }

// exchangesText is the reason, the spec section and every exchange of a
// result as text.
func exchangesText(res Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\nSpec: %s\n", res.Reason, res.Spec)
	for i, ex := range res.Exchanges {
		fmt.Fprintf(&b, "\n--- exchange %d: %s\n%s\n\n%s\n", i+1, ex.summary(), ex.Request, ex.Response)
	}
	return b.String()
}
