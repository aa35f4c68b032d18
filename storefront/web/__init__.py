"""Code shared by the shop's blueprints: refusal sentences, labels, fragments."""
