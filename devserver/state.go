package devserver

import (
	"crypto/x509"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
)

// poolState is what --data keeps of the user and identity pools: accounts (with their SRP
// verifiers, never passwords), identity IDs, refresh tokens and the token signing key, so a
// restarted server knows its users, their data stays theirs and their sessions stay valid.
type poolState struct {
	Users []struct {
		Username, Sub, Salt, Verifier, Code string
		Confirmed                           bool
		Attributes                          map[string]string
		Groups                              []string
	}
	Identities    map[string]string // user pool sub -> identity ID
	RefreshTokens map[string]refreshTokenState
	Revoked       map[string]bool
	SigningKey    []byte // PKCS#1
}

type refreshTokenState struct{ Sub, ClientID, OriginJTI string }

func (s *Server) saveState() error {
	path := s.dataPath("pools.json")
	if path == "" {
		return nil
	}
	p := s.pool
	<-p.keyReady
	p.mu.Lock()
	st := poolState{Identities: map[string]string{}, RefreshTokens: map[string]refreshTokenState{}, Revoked: p.revoked, SigningKey: x509.MarshalPKCS1PrivateKey(p.key)}
	for _, u := range p.users {
		st.Users = append(st.Users, struct {
			Username, Sub, Salt, Verifier, Code string
			Confirmed                           bool
			Attributes                          map[string]string
			Groups                              []string
		}{u.username, u.sub, u.salt.Text(16), u.v.Text(16), u.code, u.confirmed, u.attrs, u.groups})
	}
	for tok, rt := range p.refresh {
		st.RefreshTokens[tok] = refreshTokenState{rt.sub, rt.clientID, rt.originJTI}
	}
	p.mu.Unlock()
	s.identity.mu.Lock()
	for k, v := range s.identity.bySub {
		st.Identities[k] = v
	}
	s.identity.mu.Unlock()
	b, err := json.MarshalIndent(st, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o600)
}

func (s *Server) loadState() error {
	path := s.dataPath("pools.json")
	if path == "" {
		return nil
	}
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	var st poolState
	if err := json.Unmarshal(b, &st); err != nil {
		return fmt.Errorf("devserver: %s: %w", path, err)
	}
	p := s.pool
	<-p.keyReady
	if k, err := x509.ParsePKCS1PrivateKey(st.SigningKey); err == nil {
		p.key = k
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, u := range st.Users {
		salt, _ := new(big.Int).SetString(u.Salt, 16)
		v, _ := new(big.Int).SetString(u.Verifier, 16)
		if salt == nil || v == nil {
			return fmt.Errorf("devserver: %s: user %s has a malformed verifier", path, u.Username)
		}
		if u.Attributes == nil {
			u.Attributes = map[string]string{}
		}
		nu := &user{username: u.Username, sub: u.Sub, salt: salt, v: v, code: u.Code, confirmed: u.Confirmed, attrs: u.Attributes, groups: u.Groups}
		p.users[u.Username], p.bySub[u.Sub] = nu, nu
	}
	for tok, rt := range st.RefreshTokens {
		p.refresh[tok] = &refreshToken{rt.Sub, rt.ClientID, rt.OriginJTI}
	}
	for k, v := range st.Revoked {
		p.revoked[k] = v
	}
	s.identity.mu.Lock()
	s.identity.bySub, s.identity.guests = map[string]string{}, map[string]bool{}
	for k, v := range st.Identities {
		s.identity.bySub[k] = v
	}
	s.identity.mu.Unlock()
	return nil
}
