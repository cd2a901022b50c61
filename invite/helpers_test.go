package invite_test

import "github.com/clientele/clientele/tenancy"

func tenancyPage() tenancy.Page { return tenancy.Page{Limit: tenancy.MaxLimit} }
