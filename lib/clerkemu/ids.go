package clerkemu

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"math/big"
	"strings"
)

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// newID returns a Clerk-style identifier: the prefix, an underscore and 27
// random base62 characters.
func newID(prefix string) string {
	return prefix + "_" + randomString(base62, 27)
}

// randomString returns n characters drawn uniformly from alphabet.
func randomString(alphabet string, n int) string {
	var sb strings.Builder
	max := big.NewInt(int64(len(alphabet)))
	for range n {
		i, err := rand.Int(rand.Reader, max)
		if err != nil {
			panic("clerkemu: crypto/rand failed: " + err.Error())
		}
		sb.WriteByte(alphabet[i.Int64()])
	}
	return sb.String()
}

// randomHex returns n random bytes encoded as hex.
func randomHex(n int) string {
	return hex.EncodeToString(randomBytes(n))
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("clerkemu: crypto/rand failed: " + err.Error())
	}
	return b
}

// newSecretKey returns a development-style Backend API secret key.
func newSecretKey() string {
	return "sk_test_" + randomString(base62, 40)
}

// newWebhookSecret returns a Svix signing secret: whsec_ and base64 key bytes.
func newWebhookSecret() string {
	return "whsec_" + base64.StdEncoding.EncodeToString(randomBytes(24))
}

// newFrontendHost returns a Frontend-API-like host name whose length makes
// the publishable key's base64 part free of padding.
func newFrontendHost() string {
	return "clerk." + randomString("abcdefghijklmnopqrstuvwxyz", 12) + ".lcl.dev"
}

// publishableKeyFor encodes host the way Clerk does: pk_test_ followed by
// base64("<host>$").
func publishableKeyFor(host string) string {
	return "pk_test_" + base64.StdEncoding.EncodeToString([]byte(host+"$"))
}
