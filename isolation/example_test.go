package isolation_test

import (
	"fmt"
	"os"

	"github.com/apiless/apiless/isolation"
)

func ExampleCheckTemplate() {
	template, err := os.ReadFile("testdata/demo.template.json")
	if err != nil {
		panic(err)
	}
	report, err := isolation.CheckTemplate(template)
	if err != nil {
		panic(err) // the template could not be evaluated offline
	}
	for _, role := range report.Roles {
		fmt.Println(role.LogicalID, role.Audiences)
	}
	fmt.Println("violations:", len(report.Violations()))
	// Output:
	// DataAuthenticatedRole5A6B7C8D [authenticated]
	// DataGuestRole9E0F1A2B [guest]
	// DataAdminsRole3A4B5C6D [group admins]
	// violations: 0
}
