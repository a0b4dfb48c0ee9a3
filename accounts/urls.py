app_name = "accounts"

# Filled by the accounts app (#12): activation, sign-up, password reset, self-service.
urlpatterns: list = []
