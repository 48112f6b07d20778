package grants

import (
	"errors"
	"strings"
	"testing"
)

var checkChallengeTests = []struct {
	name, challenge, method string
	wantErr                 string // substring; "" means accepted
}{
	{"rfc7636 example", testChallenge, "S256", ""},
	{"plain", testChallenge, "plain", "plain is not allowed"},
	{"missing method", testChallenge, "", "code_challenge_method is missing"},
	{"lowercase method", testChallenge, "s256", `"s256" is not supported`},
	{"missing challenge", "", "S256", "code_challenge is missing"},
	{"short", testChallenge[:42], "S256", "has 42 characters"},
	{"long", testChallenge + "A", "S256", "has 44 characters"},
	{"padding", testChallenge[:42] + "=", "S256", "not base64url"},
	{"std alphabet", strings.Replace(testChallenge, "-", "+", 1), "S256", "not base64url"},
	{"non-zero trailing bits", testChallenge[:42] + "N", "S256", "not base64url"},
}

func TestCheckChallenge(t *testing.T) {
	for _, tt := range checkChallengeTests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckChallenge(tt.challenge, tt.method)
			checkPKCEErr(t, err, tt.wantErr)
		})
	}
}

var verifyTests = []struct {
	name, challenge, verifier string
	wantErr                   string
}{
	{"rfc7636 appendix B", testChallenge, testVerifier, ""},
	{"128 chars", "aDbPE7rEAOkQUHHNavRwhN-srU5eMCyUv-0k4BOvtz4", strings.Repeat("a", 128), ""},
	{"wrong verifier", testChallenge, strings.Repeat("a", 43), "does not match"},
	{"missing verifier", testChallenge, "", "code_verifier is missing"},
	{"42 chars", testChallenge, testVerifier[:42], "has 42 characters"},
	{"129 chars", testChallenge, strings.Repeat("a", 129), "has 129 characters"},
	{"bad byte", testChallenge, testVerifier[:42] + "+", "byte 0x2b at offset 42"},
	{"space", testChallenge, " " + testVerifier, "byte 0x20 at offset 0"},
	{"verifier equals challenge", testChallenge, testChallenge, "equals code_challenge"},
	{"missing challenge", "", testVerifier, "code_challenge is missing"},
	{"bad challenge", "abc", testVerifier, "has 3 characters"},
}

func TestVerify(t *testing.T) {
	for _, tt := range verifyTests {
		t.Run(tt.name, func(t *testing.T) {
			checkPKCEErr(t, Verify(tt.challenge, tt.verifier), tt.wantErr)
		})
	}
}

func checkPKCEErr(t *testing.T, err error, want string) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatalf("err = %v, want nil", err)
		}
		return
	}
	if !errors.Is(err, ErrPKCE) {
		t.Fatalf("err = %v, want ErrPKCE", err)
	}
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %q, want it to say %q", err, want)
	}
}
