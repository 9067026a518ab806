from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.bookings.selectors import booking_for_party
from apps.core.api.pagination import PAGE_PARAMETERS, PageNumberPagination, paginated
from apps.core.api.params import parse_int
from apps.core.api.throttling import SCOPED_THROTTLES
from apps.core.errors import NotFound
from apps.listings.selectors import visible_listing
from apps.messaging import selectors, services
from apps.messaging.api.serializers import (
    ConversationCreateSerializer,
    ConversationSerializer,
    ConversationStartedSerializer,
    FlagSerializer,
    MessageCreateSerializer,
    MessageSerializer,
    ReadSerializer,
)
from apps.users.api.serializers import DetailSerializer
from apps.users.models import User

PARSERS = [JSONParser, MultiPartParser, FormParser]


class ConversationListView(APIView):
    """GET: the inbox (with `unread_count` across all conversations). POST: open or reuse a thread and post the
    first message (201 when the thread is new, 200 when an existing one was reused)."""

    permission_classes = [permissions.IsAuthenticated]
    throttle_classes = SCOPED_THROTTLES
    throttle_scope = "messaging"
    parser_classes = PARSERS

    @extend_schema(parameters=PAGE_PARAMETERS, responses=paginated(ConversationSerializer, counts=("unread_count",)))
    def get(self, request):
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(selectors.conversations_of(request.user), request, self)
        response = paginator.get_paginated_response(ConversationSerializer(page, many=True).data)
        response.data["unread_count"] = selectors.unread_total(request.user)
        return response

    @extend_schema(
        request={"application/json": ConversationCreateSerializer, "multipart/form-data": ConversationCreateSerializer},
        responses={201: ConversationStartedSerializer, 200: ConversationStartedSerializer},
    )
    def post(self, request):
        data = ConversationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        booking = booking_for_party(fields["booking"], request.user) if fields.get("booking") else None
        listing = visible_listing(fields["listing"], request.user) if fields.get("listing") else None
        recipient = None
        if fields.get("recipient"):
            recipient = User.objects.filter(pk=fields["recipient"]).first()
            if recipient is None:
                raise NotFound("No such person.", attr="recipient")
        conversation, message, created = services.start_conversation(
            sender=request.user,
            recipient=recipient,
            listing=listing,
            booking=booking,
            message=fields["message"],
            attachments=fields["attachments"],
        )
        conversation = selectors.conversation_for(request.user, conversation.pk)
        message = selectors.messages_of(conversation).get(pk=message.pk)
        body = {"conversation": ConversationSerializer(conversation).data, "message": MessageSerializer(message).data}
        return Response(body, status=201 if created else 200)


class ConversationMessagesView(APIView):
    """GET: the messages, newest first (`?after=<message id>` for only the newer ones). POST: a new message."""

    permission_classes = [permissions.IsAuthenticated]
    throttle_classes = SCOPED_THROTTLES
    throttle_scope = "messaging"
    parser_classes = PARSERS

    @extend_schema(
        parameters=[
            OpenApiParameter("after", OpenApiTypes.INT, description="Only messages newer than this id."),
            *PAGE_PARAMETERS,
        ],
        responses=paginated(MessageSerializer),
    )
    def get(self, request, pk: int):
        conversation = selectors.conversation_for(request.user, pk)
        after = parse_int(request.query_params.get("after"), attr="after", minimum=0, maximum=2**63 - 1)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(selectors.messages_of(conversation, after=after), request, self)
        return paginator.get_paginated_response(MessageSerializer(page, many=True).data)

    @extend_schema(
        request={"application/json": MessageCreateSerializer, "multipart/form-data": MessageCreateSerializer},
        responses={201: MessageSerializer},
    )
    def post(self, request, pk: int):
        conversation = selectors.conversation_for(request.user, pk)
        data = MessageCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        message = services.post_message(
            conversation=conversation,
            sender=request.user,
            content=data.validated_data["content"],
            attachments=data.validated_data["attachments"],
        )
        return Response(MessageSerializer(selectors.messages_of(conversation).get(pk=message.pk)).data, status=201)


class ConversationReadView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    throttle_classes = SCOPED_THROTTLES
    throttle_scope = "messaging"

    @extend_schema(request=None, responses=ReadSerializer)
    def post(self, request, pk: int):
        conversation = selectors.conversation_for(request.user, pk)
        read = services.mark_conversation_read(conversation=conversation, reader=request.user)
        return Response({"read": read, "unread_count": selectors.unread_total(request.user)})


class MessageView(APIView):
    """DELETE: withdraw one's own message (204)."""

    permission_classes = [permissions.IsAuthenticated]
    throttle_classes = SCOPED_THROTTLES
    throttle_scope = "messaging"

    @extend_schema(responses={200: MessageSerializer})
    def get(self, request, pk: int):
        message = selectors.message_for(request.user, pk)
        return Response(MessageSerializer(selectors.messages_of(message.conversation).get(pk=message.pk)).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        services.delete_own_message(message=selectors.message_for(request.user, pk), actor=request.user)
        return Response(status=204)


class MessageFlagView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    throttle_classes = SCOPED_THROTTLES
    throttle_scope = "messaging"

    @extend_schema(request=FlagSerializer, responses={200: DetailSerializer})
    def post(self, request, pk: int):
        message = selectors.message_for(request.user, pk)
        data = FlagSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.flag_message(message=message, reporter=request.user, reason=data.validated_data["reason"])
        return Response({"detail": "Thank you. Our team will look at this message."})


class MessageAttachmentView(APIView):
    """The file of one attachment, to the conversation's participants only."""

    permission_classes = [permissions.IsAuthenticated]
    throttle_classes = SCOPED_THROTTLES
    throttle_scope = "messaging"

    @extend_schema(responses={(200, "image/*"): OpenApiTypes.BINARY})
    def get(self, request, pk: int, index: int):
        file, filename = selectors.open_attachment(selectors.message_for(request.user, pk), index)
        response = FileResponse(file, filename=filename)
        response["Cache-Control"] = "private, max-age=3600"
        response["X-Content-Type-Options"] = "nosniff"
        return response
