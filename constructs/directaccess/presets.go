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
	all := []StorageOperation{StorageGet, StorageList, StorageWrite, StorageDelete}
	read := []StorageOperation{StorageGet, StorageList}
	var guest *[]StorageOperation
	if withGuests {
		guest = &read
	}
	return []*PathRule{
		{Path: jsii.String("public/*"), Authenticated: &all, Guest: guest},
		{Path: jsii.String("protected/" + "{identity}" + "/*"), Owner: &all, Authenticated: &read, Guest: guest},
		{Path: jsii.String("private/" + "{identity}" + "/*"), Owner: &all},
	}
}
