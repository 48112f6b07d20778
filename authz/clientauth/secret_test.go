package clientauth

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"smartd/apps/registry"
	"smartd/authz/oauth"
)

// percentEncode form-urlencodes every byte of s, as a client may.
func percentEncode(s string) string {
	out := ""
	for i := 0; i < len(s); i++ {
		out += fmt.Sprintf("%%%02X", s[i])
	}
	return out
}

func rawBasic(userPass string) http.Header {
	return http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte(userPass))}}
}

// TestSecretsAndPublicClients is client_secret_basic, client_secret_post
// and public clients.
func TestSecretsAndPublicClients(t *testing.T) {
	e := newEnv(t, Options{})
	basicSecret := e.register(launchApp("basic-app", registry.AuthClientSecretBasic))
	postSecret := e.register(launchApp("post-app", registry.AuthClientSecretPost))
	oddSecret := e.register(launchApp("odd.app~1", registry.AuthClientSecretBasic))
	e.register(launchApp("public-app", registry.AuthNone))
	k := keys()
	e.register(backendApp("backend", jwksOf(t, publicJWK(t, k.ec384, "ec1", "ES384")), ""))
	if basicSecret == "" || postSecret == "" || oddSecret == "" {
		t.Fatal("the registry issued no secret")
	}
	v := func(kv ...string) url.Values {
		f := url.Values{}
		for i := 0; i < len(kv); i += 2 {
			f.Add(kv[i], kv[i+1])
		}
		return f
	}
	const (
		bad    = http.StatusBadRequest
		unauth = http.StatusUnauthorized
		ir     = oauth.InvalidRequest
		ic     = oauth.InvalidClient
	)
	runAuthCases(t, e, []authCase{
		{name: "right secret via Basic", header: basicHeader("basic-app", basicSecret), client: "basic-app"},
		{name: "right secret via Basic at introspection", header: basicHeader("basic-app", basicSecret), aud: introspectAud, client: "basic-app"},
		{name: "Basic with a matching client_id parameter", form: v("client_id", "basic-app"), header: basicHeader("basic-app", basicSecret), client: "basic-app"},
		{name: "Basic with url-encoded special characters", header: rawBasic(percentEncode("odd.app~1") + ":" + percentEncode(oddSecret)), client: "odd.app~1"},
		{name: "Basic with a lower-case scheme", header: http.Header{"Authorization": {"basic " + base64.StdEncoding.EncodeToString([]byte("basic-app:"+basicSecret))}}, client: "basic-app"},
		{name: "bad secret via Basic", header: basicHeader("basic-app", "nope"), status: unauth, code: ic, challenge: "Basic",
			desc: `the client secret of client "basic-app" is wrong`},
		{name: "secret of another client via Basic", header: basicHeader("basic-app", oddSecret), status: unauth, code: ic, challenge: "Basic", desc: "is wrong"},
		{name: "empty secret via Basic", header: basicHeader("basic-app", ""), status: unauth, code: ic, challenge: "Basic", desc: `the client secret of client "basic-app" is empty`},
		{name: "right secret via post", form: v("client_id", "post-app", "client_secret", postSecret), client: "post-app"},
		{name: "bad secret via post", form: v("client_id", "post-app", "client_secret", basicSecret), status: unauth, code: ic, desc: `the client secret of client "post-app" is wrong`},
		{name: "registered basic, sent post", form: v("client_id", "basic-app", "client_secret", basicSecret), status: unauth, code: ic,
			desc: `client "basic-app" is registered for client_secret_basic, not client_secret_post; it must authenticate with HTTP Basic`},
		{name: "registered post, sent basic", header: basicHeader("post-app", postSecret), status: unauth, code: ic, challenge: "Basic",
			desc: `client "post-app" is registered for client_secret_post, not client_secret_basic; it must send client_id and client_secret in the request body`},
		{name: "backend client sending a secret", header: basicHeader("backend", "x"), status: unauth, code: ic, challenge: "Basic",
			desc: `client "backend" is registered for private_key_jwt, not client_secret_basic; it must send a client_assertion`},
		{name: "Basic and client_secret", form: v("client_id", "basic-app", "client_secret", basicSecret), header: basicHeader("basic-app", basicSecret),
			status: bad, code: ir, desc: "with HTTP Basic and client_secret at once"},
		{name: "client_secret repeated", form: v("client_id", "post-app", "client_secret", postSecret, "client_secret", postSecret), status: bad, code: ir,
			desc: "client_secret is sent 2 times"},
		{name: "client_secret without client_id", form: v("client_secret", postSecret), status: bad, code: ir, desc: "client_secret is sent without client_id"},
		{name: "Authorization header twice", header: http.Header{"Authorization": {"Basic eDp5", "Basic eDp5"}}, status: bad, code: ir, desc: "Authorization header is sent 2 times"},
		{name: "Basic not base64", header: http.Header{"Authorization": {"Basic %%%"}}, status: unauth, code: ic, challenge: "Basic", desc: "not valid base64"},
		{name: "Basic without colon", header: rawBasic("basic-app"), status: unauth, code: ic, challenge: "Basic", desc: "no ':' between client_id and client_secret"},
		{name: "Basic with a bad escape", header: rawBasic("basic-app:%zz"), status: unauth, code: ic, challenge: "Basic", desc: "client_secret is not form-urlencoded"},
		{name: "Basic with an empty client_id", header: rawBasic(":x"), status: unauth, code: ic, challenge: "Basic", desc: "empty client_id"},
		{name: "Basic client_id differs from the parameter", form: v("client_id", "post-app"), header: basicHeader("basic-app", basicSecret),
			status: unauth, code: ic, challenge: "Basic", desc: `client_id "post-app" in the request body differs from client_id "basic-app" in HTTP Basic`},
		{name: "unknown client via Basic", header: basicHeader("ghost", "x"), status: unauth, code: ic, challenge: "Basic", desc: `no client with client_id "ghost" is registered`},
		{name: "unknown client via post", form: v("client_id", "ghost", "client_secret", "x"), status: unauth, code: ic, desc: `no client with client_id "ghost" is registered`},
		{name: "public client ok", form: v("client_id", "public-app"), client: "public-app"},
		{name: "public client via Basic without password", header: basicHeader("public-app", ""), client: "public-app"},
		{name: "public client sending a secret", form: v("client_id", "public-app", "client_secret", "x"), status: unauth, code: ic,
			desc: `client "public-app" is a public client (token_endpoint_auth_method none); it must not send a client secret`},
		{name: "public client sending a secret via Basic", header: basicHeader("public-app", "x"), status: unauth, code: ic, challenge: "Basic",
			desc: `client "public-app" is a public client`},
		{name: "unknown public client", form: v("client_id", "ghost"), status: unauth, code: ic, desc: `no client with client_id "ghost" is registered`},
		{name: "confidential client without credentials", form: v("client_id", "basic-app"), status: unauth, code: ic,
			desc: `client "basic-app" is a confidential-symmetric client registered for client_secret_basic and sent no credentials`},
		{name: "backend client without credentials", form: v("client_id", "backend"), status: unauth, code: ic,
			desc: `client "backend" is a confidential-asymmetric client registered for private_key_jwt and sent no credentials; it must send a client_assertion`},
		{name: "no credentials at all", status: unauth, code: ic, desc: "the request carries no client authentication"},
		{name: "a Bearer header is left to the endpoint", form: v("client_id", "public-app"), header: http.Header{"Authorization": {"Bearer abc"}}, client: "public-app"},
		{name: "client_id repeated", form: v("client_id", "public-app", "client_id", "public-app"), status: bad, code: ir, desc: "client_id is sent 2 times"},
	})
}
