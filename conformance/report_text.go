package conformance

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// ANSI colours of the terminal report.
const (
	ansiGreen  = "\x1b[32m"
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiReset  = "\x1b[0m"
)

// WriteText writes the terminal report: each group with its checks, ✓
// passed, ✗ failed (with the reason and the requests made), – skipped
// (with the reason), then the summary line "N passed, M failed, K
// skipped". color adds ANSI colours.
func (r *Report) WriteText(w io.Writer, color bool) error {
	bw := bufio.NewWriter(w)
	paint := func(code, s string) string {
		if !color {
			return s
		}
		return code + s + ansiReset
	}
	fmt.Fprintf(bw, "SMART conformance of %s\n", r.FHIRBase)
	for _, g := range r.Groups() {
		fmt.Fprintf(bw, "\n%s\n", paint(ansiBold, g.Group))
		for _, res := range g.Results {
			switch res.Status {
			case Pass:
				fmt.Fprintf(bw, "  %s %s", paint(ansiGreen, "✓"), res.Name)
				if res.Reason != "" {
					fmt.Fprintf(bw, " %s", paint(ansiDim, "("+res.Reason+")"))
				}
				fmt.Fprintln(bw)
			case Fail:
				fmt.Fprintf(bw, "  %s %s\n", paint(ansiRed, "✗"), paint(ansiRed, res.Name))
				fmt.Fprintf(bw, "      %s\n", indent(res.Reason, "      "))
				for _, ex := range res.Exchanges {
					fmt.Fprintf(bw, "      %s\n", paint(ansiDim, ex.summary()))
				}
			case Skip:
				fmt.Fprintf(bw, "  %s %s %s\n", paint(ansiYellow, "–"), res.Name, paint(ansiDim, "(skipped: "+res.Reason+")"))
			}
		}
	}
	passed, failed, skipped := r.Counts()
	summary := fmt.Sprintf("%d passed, %d failed, %d skipped", passed, failed, skipped)
	switch {
	case failed > 0:
		summary = paint(ansiBold+ansiRed, summary)
	default:
		summary = paint(ansiBold+ansiGreen, summary)
	}
	fmt.Fprintf(bw, "\n%s (%.1fs)\n", summary, r.Duration.Seconds())
	return bw.Flush()
}

// summary is one line: method, URL and status.
func (e Exchange) summary() string {
	if e.Status == 0 {
		return fmt.Sprintf("%s %s → %s", e.Method, e.URL, strings.SplitN(e.Response, "\n", 2)[0])
	}
	return fmt.Sprintf("%s %s → %d", e.Method, e.URL, e.Status)
}

func indent(s, prefix string) string {
	return strings.ReplaceAll(s, "\n", "\n"+prefix)
}
