"""Code shared by the shop's blueprints (shop, cart, checkout, account, seller portal, back
office): form fields, refusal sentences and labels, htmx fragments. Business rules stay in
``storefront.marketplace``; this is only how the web shows and asks for them."""
