package checks

import "github.com/keywarden/keywarden/internal/awsfacts"

func kmsActionNames() []string {
	var out []string
	for _, a := range awsfacts.KMSActions {
		if a.Resource != awsfacts.NoResource {
			out = append(out, "kms:"+a.Name)
		}
	}
	return out
}
