package directaccess

import "github.com/aws/jsii-runtime-go"

// PublicProtectedPrivate returns the familiar three-folder layout of Amplify's access levels:
//
//	public/*                 every signed-in user reads and writes; guests read (if withGuests)
//	protected/{identity}/*   the owner reads and writes; every signed-in user reads; guests read
//	private/{identity}/*     only the owner
//
// Append rules of your own or edit the returned rules before passing them in.
func PublicProtectedPrivate(withGuests bool) []*PathRule {
	// Each field gets a slice of its own, so editing one rule never changes another.
	all := func() *[]StorageOperation {
		return &[]StorageOperation{StorageGet, StorageList, StorageWrite, StorageDelete}
	}
	read := func() *[]StorageOperation { return &[]StorageOperation{StorageGet, StorageList} }
	guest := func() *[]StorageOperation {
		if withGuests {
			return read()
		}
		return nil
	}
	return []*PathRule{
		{Path: jsii.String("public/*"), Authenticated: all(), Guest: guest()},
		{Path: jsii.String("protected/" + "{identity}" + "/*"), Owner: all(), Authenticated: read(), Guest: guest()},
		{Path: jsii.String("private/" + "{identity}" + "/*"), Owner: all()},
	}
}
