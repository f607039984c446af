package devserver

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"math/big"
	"strings"
)

// SRP-6a as Cognito user pools speak it: the RFC 5054 3072-bit group, g = 2, SHA-256, and the
// "Caldera Derived Key" HKDF step for the password claim.
var (
	srpN, _ = new(big.Int).SetString(""+
		"FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"+
		"020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"+
		"4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"+
		"EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05"+
		"98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB"+
		"9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"+
		"E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718"+
		"3995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33"+
		"A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"+
		"ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864"+
		"D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E2"+
		"08E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF", 16)
	srpG = big.NewInt(2)
	srpK = hashHexInt(padHex(srpN) + padHex(srpG))
)

// padHex is the hex form Cognito's clients hash: even length, with a leading 00 when the top bit
// is set (an unambiguous positive two's-complement number).
func padHex(n *big.Int) string {
	h := n.Text(16)
	if len(h)%2 == 1 {
		h = "0" + h
	}
	if strings.ContainsRune("89abcdef", rune(h[0])) {
		h = "00" + h
	}
	return h
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// hashHexInt hashes the bytes a hex string spells and reads the digest as a number.
func hashHexInt(h string) *big.Int {
	b, _ := hex.DecodeString(h)
	return new(big.Int).SetBytes(sha256Bytes(b))
}

func sha256Bytes(b []byte) []byte {
	s := sha256.Sum256(b)
	return s[:]
}

func randomInt(n int) *big.Int {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return new(big.Int).SetBytes(b)
}

// srpX is the private key derived from the password: H(salt | H(poolName userId ":" password)).
func srpX(salt *big.Int, poolName, userID, password string) *big.Int {
	return hashHexInt(padHex(salt) + sha256Hex([]byte(poolName+userID+":"+password)))
}

// srpVerifier is what the pool stores instead of the password.
func srpVerifier(poolName, userID, password string) (salt, v *big.Int) {
	salt = randomInt(16)
	return salt, new(big.Int).Exp(srpG, srpX(salt, poolName, userID, password), srpN)
}

// srpServer is one sign-in in progress.
type srpServer struct {
	v, b, B     *big.Int
	A           *big.Int // the client's SRP_A
	salt        *big.Int
	secretBlock []byte
}

func newSRPServer(salt, v *big.Int) *srpServer {
	b := randomInt(64)
	B := new(big.Int).Add(new(big.Int).Mul(srpK, v), new(big.Int).Exp(srpG, b, srpN))
	B.Mod(B, srpN)
	block := make([]byte, 48)
	_, _ = rand.Read(block)
	return &srpServer{v: v, b: b, B: B, salt: salt, secretBlock: block}
}

// expectedSignature is the PASSWORD_CLAIM_SIGNATURE a client that knows the password sends.
func (s *srpServer) expectedSignature(A *big.Int, poolName, userID, timestamp string) (string, bool) {
	if new(big.Int).Mod(A, srpN).Sign() == 0 {
		return "", false
	}
	u := hashHexInt(padHex(A) + padHex(s.B))
	if u.Sign() == 0 {
		return "", false
	}
	S := new(big.Int).Mul(A, new(big.Int).Exp(s.v, u, srpN))
	S.Exp(S.Mod(S, srpN), s.b, srpN)
	return claimSignature(u, S, poolName, userID, s.secretBlock, timestamp), true
}

func claimSignature(u, S *big.Int, poolName, userID string, secretBlock []byte, timestamp string) string {
	uBytes, _ := hex.DecodeString(padHex(u))
	sBytes, _ := hex.DecodeString(padHex(S))
	prk := hmacSHA256(uBytes, sBytes)
	key := hmacSHA256(prk, append([]byte("Caldera Derived Key"), 1))[:16]
	msg := append(append(append([]byte(poolName), userID...), secretBlock...), timestamp...)
	return base64.StdEncoding.EncodeToString(hmacSHA256(key, msg))
}

func hmacSHA256(key, msg []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(msg)
	return m.Sum(nil)
}

// SRPClient is the client side of Cognito's SRP sign-in, as Amplify JS and the AWS SDKs'
// helpers compute it. Tests use it to sign in through the real InitiateAuth and
// RespondToAuthChallenge calls.
type SRPClient struct {
	poolName string
	a, bigA  *big.Int
}

// NewSRPClient starts a sign-in to the user pool with the given ID (region_name).
func NewSRPClient(userPoolID string) *SRPClient {
	_, name, _ := strings.Cut(userPoolID, "_")
	a := randomInt(128)
	return &SRPClient{poolName: name, a: a, bigA: new(big.Int).Exp(srpG, a, srpN)}
}

// A is SRP_A for InitiateAuth (hex).
func (c *SRPClient) A() string { return c.bigA.Text(16) }

// Respond computes PASSWORD_CLAIM_SIGNATURE from the PASSWORD_VERIFIER challenge parameters.
func (c *SRPClient) Respond(userID, password, saltHex, bHex, secretBlockB64, timestamp string) (string, error) {
	salt, ok1 := new(big.Int).SetString(saltHex, 16)
	B, ok2 := new(big.Int).SetString(bHex, 16)
	block, err := base64.StdEncoding.DecodeString(secretBlockB64)
	if !ok1 || !ok2 || err != nil {
		return "", errBadChallenge
	}
	u := hashHexInt(padHex(c.bigA) + padHex(B))
	x := srpX(salt, c.poolName, userID, password)
	gx := new(big.Int).Exp(srpG, x, srpN)
	base := new(big.Int).Sub(B, new(big.Int).Mul(srpK, gx))
	base.Mod(base, srpN)
	exp := new(big.Int).Add(c.a, new(big.Int).Mul(u, x))
	S := new(big.Int).Exp(base, exp, srpN)
	return claimSignature(u, S, c.poolName, userID, block, timestamp), nil
}
