"""Step 4 of the listing editor: several photos at once, captions, reordering (all at once as drag and drop leaves
it, or one place up or down), removal; htmx gets the photo panel back, a plain form post a redirect."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from apps.core.models import AuditLog
from apps.listings.models import ListingPhoto
from apps.listings.tests.factories import ListingFactory
from apps.users.tests.factories import HostFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def image_file(name: str = "p.jpg", color: str = "teal", image_format: str = "JPEG") -> SimpleUploadedFile:
    data = io.BytesIO()
    Image.new("RGB", (80, 60), color).save(data, format=image_format)
    return SimpleUploadedFile(name, data.getvalue(), content_type=f"image/{image_format.lower()}")


@pytest.fixture
def listing(client):
    listing = ListingFactory()
    client.force_login(listing.host)
    return listing


@pytest.fixture
def url(listing):
    return f"/host/listings/{listing.pk}/photos/"


def upload(client, url, *files, caption: str = "", **headers):
    return client.post(url, {"image": list(files), "caption": caption}, **headers)


def order(listing) -> list[int]:
    return list(listing.photos.order_by("display_order").values_list("pk", flat=True))


def test_several_photos_are_uploaded_at_once(client, listing, url):
    response = upload(client, url, image_file("a.jpg"), image_file("b.png", "red", "PNG"), caption="Entrance", **HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="photo-panel"' in html and "<html" not in html  # the panel alone
    assert "2 photos added." in html
    assert list(listing.photos.values_list("caption", flat=True)) == ["Entrance", "Entrance"]
    assert html.count('class="photo-item"') == 2


def test_without_htmx_an_upload_redirects_back_to_the_step(client, listing, url):
    response = upload(client, url, image_file())
    assert response.status_code == 302 and response["Location"] == url
    assert listing.photos.count() == 1


def test_a_file_that_is_not_an_image_is_refused_next_to_the_field(client, listing, url):
    fake = SimpleUploadedFile("notes.jpg", b"not an image at all", content_type="image/jpeg")
    response = upload(client, url, fake, caption="Kept caption", **HTMX)

    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="id_image_error"' in html and "notes.jpg" in html
    assert 'value="Kept caption"' in html
    assert not listing.photos.exists()


def test_the_good_photos_of_a_mixed_upload_are_kept(client, listing, url):
    fake = SimpleUploadedFile("bad.png", b"\x89PNG broken", content_type="image/png")
    response = upload(client, url, image_file("good.jpg"), fake, **HTMX)
    assert response.status_code == 422
    assert "1 photo added." in response.content.decode()
    assert listing.photos.count() == 1


def test_no_file_is_a_readable_error(client, url):
    response = client.post(url, {"caption": "x"}, **HTMX)
    assert response.status_code == 422
    assert 'id="id_image_error"' in response.content.decode()


@pytest.fixture
def three_photos(client, listing, url):
    upload(client, url, image_file("1.jpg"), image_file("2.jpg"), image_file("3.jpg"))
    return order(listing)


def test_drag_and_drop_order_is_saved_by_the_reorder_service(client, listing, three_photos):
    first, second, third = three_photos
    response = client.post(
        f"/host/listings/{listing.pk}/photos/reorder/", {"photo_ids": [third, first, second]}, **HTMX
    )
    assert response.status_code == 200
    assert order(listing) == [third, first, second]
    html = response.content.decode()
    assert html.index(f'data-photo-id="{third}"') < html.index(f'data-photo-id="{first}"')


@pytest.mark.parametrize(
    "photo_ids",
    [[], ["x"], "one-only", "dup"],
)
def test_an_order_that_does_not_name_each_photo_once_is_refused(client, listing, three_photos, photo_ids):
    if photo_ids == "one-only":
        photo_ids = three_photos[:1]
    elif photo_ids == "dup":
        photo_ids = [three_photos[0], three_photos[0], three_photos[1]]
    response = client.post(f"/host/listings/{listing.pk}/photos/reorder/", {"photo_ids": photo_ids}, **HTMX)
    assert response.status_code == 422
    assert "does not match" in response.content.decode() or "exactly once" in response.content.decode()
    assert order(listing) == three_photos


def test_photos_move_one_place_with_the_arrow_buttons(client, listing, three_photos):
    first, second, third = three_photos
    move = f"/host/listings/{listing.pk}/photos/{third}/move/"

    response = client.post(move, {"direction": "up"}, **HTMX)
    assert order(listing) == [first, third, second]
    assert f'data-focus="move-up-{third}"' in response.content.decode()  # the keyboard stays on the button
    assert "Photo 2 of 3." in response.content.decode()

    client.post(move, {"direction": "up"}, **HTMX)
    client.post(move, {"direction": "up"}, **HTMX)  # already first: nothing changes
    assert order(listing) == [third, first, second]
    client.post(f"/host/listings/{listing.pk}/photos/{first}/move/", {"direction": "down"})
    assert order(listing) == [third, second, first]
    assert client.post(move, {"direction": "sideways"}, **HTMX).status_code == 422


def test_the_first_photo_is_the_cover_and_its_up_button_is_disabled(client, listing, three_photos, url):
    html = client.get(url).content.decode()
    assert html.count("Cover</span>") == 1
    assert f'id="move-up-{three_photos[0]}" type="submit" disabled' in html
    assert f'id="move-down-{three_photos[-1]}" type="submit" disabled' in html


def test_a_caption_is_saved_and_a_too_long_one_is_kept_with_its_error(client, listing, three_photos):
    photo_id = three_photos[1]
    caption_url = f"/host/listings/{listing.pk}/photos/{photo_id}/caption/"
    assert client.post(caption_url, {"caption": "Side gate"}, **HTMX).status_code == 200
    assert ListingPhoto.objects.get(pk=photo_id).caption == "Side gate"

    response = client.post(caption_url, {"caption": "x" * 300}, **HTMX)
    assert response.status_code == 422
    html = response.content.decode()
    assert f'id="caption-{photo_id}-error"' in html and 'value="' + "x" * 300 + '"' in html
    assert ListingPhoto.objects.get(pk=photo_id).caption == "Side gate"


def test_a_photo_is_removed_with_an_audit_row(client, listing, three_photos):
    response = client.post(f"/host/listings/{listing.pk}/photos/{three_photos[0]}/delete/", **HTMX)
    assert response.status_code == 200 and "Photo removed." in response.content.decode()
    assert order(listing) == three_photos[1:]
    assert AuditLog.objects.filter(object_id=listing.pk, description="Photo removed").exists()


def test_someone_elses_photos_are_not_found(client, listing, three_photos):
    other = ListingFactory(host=HostFactory())
    photo_id = three_photos[0]
    # A photo of my listing addressed through another listing, and another host's listing altogether.
    assert client.post(f"/host/listings/{other.pk}/photos/{photo_id}/delete/").status_code == 404
    client.force_login(other.host)
    for path, data in [
        (f"{photo_id}/delete/", {}),
        (f"{photo_id}/move/", {"direction": "up"}),
        (f"{photo_id}/caption/", {"caption": "mine now"}),
        ("reorder/", {"photo_ids": three_photos[::-1]}),
        ("", {"image": image_file()}),
    ]:
        assert client.post(f"/host/listings/{listing.pk}/photos/{path}", data).status_code == 404
    assert order(listing) == three_photos and listing.photos.count() == 3


def test_the_actions_only_accept_posts(client, listing, three_photos):
    assert client.get(f"/host/listings/{listing.pk}/photos/{three_photos[0]}/delete/").status_code == 405
    assert client.get(f"/host/listings/{listing.pk}/photos/reorder/").status_code == 405


def test_the_photo_step_costs_the_same_queries_for_one_photo_or_many(
    client, listing, url, django_assert_max_num_queries
):
    upload(client, url, image_file())
    with django_assert_max_num_queries(9) as one:
        client.get(url)
    baseline = len(one)  # read now: the next request clears the query log
    upload(client, url, *(image_file(f"{n}.jpg") for n in range(6)))
    with django_assert_max_num_queries(baseline):
        response = client.get(url)
    assert response.content.decode().count('class="photo-item"') == 7
